module.exports = async () => {
  try {
    await require('./ceph-s3').stopSharedS3();
  } finally {
    if (globalThis.__caveTestCluster) await globalThis.__caveTestCluster.stop();
  }
};
