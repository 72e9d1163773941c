// Jest loads global setup outside the ts-jest transform: register TypeScript here.
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '../../../tsconfig.json') });
require('tsconfig-paths').register({
  baseUrl: require('path').join(__dirname, '../../..'),
  paths: { '@cave/migrations': ['migrations'], '@cave/*': ['libs/*/src'] },
});
module.exports = require('./test-cluster').startTestCluster;
