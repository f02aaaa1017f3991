package dev.quern.cli.cluster;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A job whose mapper takes its JVM down: {@code FaultyJob IN OUT exit|hog|spin}. {@code exit}
 * calls {@code System.exit(3)}; {@code hog} allocates without bound in a 64 MiB executor heap;
 * {@code spin} never returns from {@code map} (nor reports progress), under a 3 s task timeout.
 * Two attempts per task. Exits 0 only if the job succeeded (it never should).
 */
public final class FaultyJob {
  static final String TIMEOUT_MS = "3000";
  static final String HEAP = "64m";

  private FaultyJob() {}

  public static void main(String[] args) throws Exception {
    Job.Builder b = Job.builder("faulty-" + args[2])
        .input(args[0])
        .output(args[1])
        .mapOutput(String.class, Long.class)
        .reduceTasks(1)
        .set("quern.task.max-attempts", "2");
    switch (args[2]) {
      case "exit" -> b.mapper(Exit.class);
      case "hog" -> b.mapper(Hog.class).set("quern.executor.memory", HEAP);
      case "spin" -> b.mapper(Spin.class).set("quern.task.timeout", TIMEOUT_MS);
      default -> throw new IllegalArgumentException("exit, hog or spin: " + args[2]);
    }
    JobStatus s = b.build().waitForCompletion();
    System.out.println("faulty " + s.id() + " " + s.state());
    System.exit(s.succeeded() ? 0 : 1);
  }

  public static final class Exit implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      System.exit(3);
    }
  }

  public static final class Hog implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[1 << 17]);
      }
    }
  }

  public static final class Spin implements Mapper<Long, String, String, Long> {
    private static volatile long spins;

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      while (true) {
        spins++; // deaf to interrupts: only the end of its JVM stops it
      }
    }
  }
}
