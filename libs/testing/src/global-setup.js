// Jest loads global setup outside the ts-jest transform: register TypeScript here.
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '../../../tsconfig.json') });
require('tsconfig-paths').register({
  baseUrl: require('path').join(__dirname, '../../..'),
  paths: { '@cave/migrations': ['migrations'], '@cave/*': ['libs/*/src'] },
});
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { S3_OWNER_ENV, S3_SHARED_ENV } = require('./ceph-s3');

module.exports = async (...args) => {
  // Only a directory: the first S3 suite boots the Ceph cluster into it (ceph-s3.ts), teardown stops it.
  process.env[S3_SHARED_ENV] = mkdtempSync(join(tmpdir(), 'cave-s3-'));
  process.env[S3_OWNER_ENV] = String(process.pid);
  await require('./test-cluster').startTestCluster(...args);
};
