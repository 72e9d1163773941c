module.exports = async () => {
  if (globalThis.__caveTestCluster) await globalThis.__caveTestCluster.stop();
};
