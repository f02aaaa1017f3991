package dev.quern.raft;

/**
 * Not a test: a benchmark of the core's own cost. Three cores in the simulation (reliable network,
 * in-memory storage) commit batches of proposals; it reports commands committed per wall-clock second
 * of the one simulation thread, and messages per command. Run with bench/raft/run.sh.
 */
public final class RaftSimBench {

  private RaftSimBench() {
  }

  public static void main(String[] args) {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    for (int batch : new int[] {1, 10, 100}) {
      run(total / 10, batch); // warm-up
      run(total, batch);
    }
  }

  private static void run(int total, int batch) {
    SimCluster sim = new SimCluster(1, 3, SimCluster.Options.reliable().withSnapshotEvery(10_000));
    SimCluster.Node l = sim.awaitLeader(10_000);
    byte[] payload = KvStateMachine.put("key", "x".repeat(90));
    long messages0 = sim.messages;
    long start = System.nanoTime();
    long seq = 0;
    long last = 0;
    while (seq < total) {
      for (int i = 0; i < batch; i++) {
        last = l.core.propose(new ClientCommand(1, ++seq, payload).encode());
      }
      sim.process(l);
      long target = last;
      sim.runUntil(() -> l.applied >= target, 5_000);
    }
    long target = last;
    sim.runUntil(() -> sim.appliedCount(target) == 3, 5_000);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("sim 3 nodes, batch %3d: %,9.0f commands/s (one thread for all three cores), %.2f messages/command%n",
        batch, total / seconds, (sim.messages - messages0) / (double) total);
  }
}
