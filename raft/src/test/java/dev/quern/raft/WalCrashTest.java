package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash scenarios of {@link PersistenceTest} with every node on the real durable WAL, where a
 * crash loses what a power cut would ({@link WalSimDisk}): whatever was not forced, or a torn prefix
 * of it. A wrong sync decision (in the core or in {@code WalRaftPersistence}) then shows up as two
 * leaders in a term or a lost committed entry. Real file IO, so fewer seeds than the in-memory runs
 * ({@code -Draft.seeds=N}, {@code -Draft.seed=S} as usual); {@code -Draft.walCrash=KEEP_WRITTEN}
 * runs them all with an in-JVM crash that keeps every written byte instead, for comparison.
 */
class WalCrashTest {

  private static final String CLASS = "dev.quern.raft.WalCrashTest";
  private static final int SEEDS = 30;

  @TempDir
  Path tmp;

  private interface Scenario {
    void run(long seed, SimCluster.StorageFactory storage);
  }

  private void run(String name, WalSimDisk.Crash mode, Scenario scenario) {
    String override = System.getProperty("raft.walCrash");
    WalSimDisk.Crash crash = override == null || override.isBlank() ? mode : WalSimDisk.Crash.valueOf(override.trim());
    long[] totals = new long[3];
    Seeds.run(CLASS, name, SEEDS, seed -> {
      try (WalSimDisk disk = new WalSimDisk(tmp.resolve(name + "-" + seed), crash, seed)) {
        scenario.run(seed, disk);
        totals[0] += disk.crashes;
        totals[1] += disk.bytesCut;
        totals[2] += disk.filesDropped;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    System.out.printf("RAFT-WAL %s (%s): %d crashes, %d written bytes cut, %d files dropped%n",
        name, crash, totals[0], totals[1], totals[2]);
    assertThat(totals[0]).as("crashes").isPositive();
  }

  @Test
  void crashRecoverStormDropUnsynced() {
    run("crashRecoverStormDropUnsynced", WalSimDisk.Crash.DROP_UNSYNCED,
        (seed, storage) -> PersistenceTest.crashRecoverStorm(seed, storage, 0));
  }

  /** With snapshots every 8 entries: compaction, snapshot files and their directory forces too. */
  @Test
  void crashRecoverStormWithSnapshotsTornTails() {
    run("crashRecoverStormWithSnapshotsTornTails", WalSimDisk.Crash.TEAR_UNSYNCED,
        (seed, storage) -> PersistenceTest.crashRecoverStorm(seed, storage, 8));
  }

  @Test
  void churnUnreliableTornTails() {
    run("churnUnreliableTornTails", WalSimDisk.Crash.TEAR_UNSYNCED, PersistenceTest::churnUnreliable);
  }

  @Test
  void restartOfEveryNodeDropUnsynced() {
    run("restartOfEveryNodeDropUnsynced", WalSimDisk.Crash.DROP_UNSYNCED, PersistenceTest::restartOfEveryNode);
  }

  @Test
  void figure8UnreliableDropUnsynced() {
    run("figure8UnreliableDropUnsynced", WalSimDisk.Crash.DROP_UNSYNCED,
        (seed, storage) -> PersistenceTest.figure8(seed, SimCluster.Options.unreliable().withRestartAfterStep(0.005), 150, storage));
  }
}
