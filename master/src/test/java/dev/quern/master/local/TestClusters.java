package dev.quern.master.local;

/** How the cluster tests start their clusters: the real data path, real actors. */
final class TestClusters {
  private TestClusters() {}

  static LocalClusterOptions options(int workers, int slots) {
    return LocalClusterOptions.defaults().withWorkers(workers).withSlotsPerWorker(slots);
  }
}
