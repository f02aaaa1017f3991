package dev.quern.raft;

import java.util.function.LongConsumer;

/**
 * Runs a scenario over many seeds. {@code -Draft.seeds=N} sets how many (default given per scenario),
 * {@code -Draft.seed=S} replays one. A failure names its seed and the command that replays it.
 */
final class Seeds {

  private Seeds() {
  }

  static void run(String testClass, String scenario, int defaultCount, LongConsumer body) {
    String one = System.getProperty("raft.seed");
    if (one != null && !one.isBlank()) {
      runOne(testClass, scenario, Long.parseLong(one.trim()), body);
      return;
    }
    int count = Integer.getInteger("raft.seeds", defaultCount);
    long start = System.nanoTime();
    for (long seed = 1; seed <= count; seed++) {
      runOne(testClass, scenario, seed, body);
    }
    System.out.printf("RAFT-SEEDS %s: %d seeds in %d ms%n", scenario, count, (System.nanoTime() - start) / 1_000_000);
  }

  private static void runOne(String testClass, String scenario, long seed, LongConsumer body) {
    try {
      body.accept(seed);
    } catch (Throwable t) {
      throw new AssertionError("scenario '" + scenario + "' failed with seed " + seed + "; replay: "
          + "mvn -B -ntp -pl raft -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='"
          + testClass + "#" + scenario + "' -Draft.seed=" + seed + "\n" + t, t);
    }
  }
}
