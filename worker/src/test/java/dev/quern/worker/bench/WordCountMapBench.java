package dev.quern.worker.bench;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.testjobs.WordCount;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput of one WordCount map task (text in, sorted/combined/spilled map output out), in MB of
 * text per second of the task thread's CPU, for each configuration, run interleaved round by round.
 *
 * <p>Run: {@code java -Xmx1g [-Dinput=FILE] -cp <test classpath>
 * dev.quern.worker.bench.WordCountMapBench [textMB] [rounds] [configs...]} where a config is
 * {@code hash=true,lz4=false,objects=false,foldAt=64,buffer=64m} etc. (default: {@code
 * objects=false} against {@code objects=true}). Without {@code -Dinput} it generates {@code
 * textMB} of Zipf text over {@code -Dvocab} words.
 */
public final class WordCountMapBench {
  private WordCountMapBench() {}

  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "quern-wc-bench");
    Files.createDirectories(dir);
    int vocab = Integer.getInteger("vocab", 200_000);
    String given = System.getProperty("input");
    Path text = given != null ? Path.of(given) : dir.resolve("text-" + mb + "m-" + vocab + ".txt");
    if (!Files.exists(text)) {
      generate(text, (long) mb << 20, vocab);
    }
    List<String> configs = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      configs.add(args[i]);
    }
    if (configs.isEmpty()) {
      configs.addAll(List.of("objects=false", "objects=true"));
    }
    long size = Files.size(text);
    baseline(text, size);
    java.lang.management.ThreadMXBean mx =
        java.lang.management.ManagementFactory.getThreadMXBean();
    double[][] cpuMbps = new double[configs.size()][rounds];
    // The whole process's CPU also counts the collector's and the JIT's threads.
    double[][] procMbps = new double[configs.size()][rounds];
    // Rounds outside, configurations inside: on a shared machine, A B A B ... sees the same noise.
    for (int r = 0; r < rounds; r++) {
      for (int ci = 0; ci < configs.size(); ci++) {
        String c = configs.get(ci);
        Job.Builder b = Job.builder("wc-bench").input(text.toString())
            .output(dir.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
            .combiner(WordCount.SumReducer.class).reducer(WordCount.SumReducer.class)
            .mapOutput(String.class, Long.class).reduceTasks(2)
            .set(DataPathConfig.FOLD_AT, System.getProperty("foldAt", "256"));
        // A configuration is key=value pairs: hash, lz4, objects, foldAt, buffer (or full keys).
        for (String kv : c.split(",")) {
          String[] p = kv.split("=", 2);
          String key = switch (p[0]) {
            case "hash" -> DataPathConfig.HASH_COMBINE;
            case "lz4" -> DataPathConfig.COMPRESS;
            case "objects" -> DataPathConfig.OBJECT_COMBINE;
            case "foldAt" -> DataPathConfig.FOLD_AT;
            case "buffer" -> DataPathConfig.SORT_BUFFER_SIZE;
            default -> p[0];
          };
          b.set(key, p[1]);
        }
        JobSpec job = b.build().spec();
        TaskAttemptId id = new TaskAttemptId("bench", TaskKind.MAP, 0, r + 1);
        long c0 = mx.getCurrentThreadCpuTime();
        long p0 = processCpu();
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        TaskResult res = new PipelineTaskRunner().run(new MapTaskSpec(id, job,
            new FileSplit(text.toString(), 0, size, List.of()), dir.resolve("scratch").toString(),
            dir.resolve("work").toString()), WordCountMapBench.class.getClassLoader(),
            TaskProgress.NONE);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        double proc = (processCpu() - p0) / 1e9;
        long gc = gcMillis() - gc0;
        // The machine is shared: CPU time of the task's thread is the steadier figure.
        cpuMbps[ci][r] = size / 1048576.0 / cpu;
        procMbps[ci][r] = size / 1048576.0 / proc;
        System.out.printf("[%s] round %d: %.2f s wall (%.1f MB/s), %.2f s cpu (%.1f MB/s),"
                + " process %.2f s cpu, gc %d ms, output %d bytes, spilled %d, combine in %d out"
                + " %d, map output bytes %d%n", c, r,
            secs, size / 1048576.0 / secs, cpu, cpuMbps[ci][r], proc, gc,
            Files.size(Path.of(res.mapOutput().dataFile())),
            res.counters().get(TaskCounter.SPILLED_RECORDS),
            res.counters().get(TaskCounter.COMBINE_INPUT_RECORDS),
            res.counters().get(TaskCounter.COMBINE_OUTPUT_RECORDS),
            res.counters().get(TaskCounter.MAP_OUTPUT_BYTES));
        Files.delete(Path.of(res.mapOutput().dataFile()));
        Files.delete(Path.of(res.mapOutput().indexFile()));
      }
    }
    for (int ci = 0; ci < configs.size(); ci++) {
      // The first round of each warms the JIT; the rest are reported.
      double[] rest = java.util.Arrays.copyOfRange(cpuMbps[ci], Math.min(1, rounds - 1), rounds);
      java.util.Arrays.sort(rest);
      double[] proc = java.util.Arrays.copyOfRange(procMbps[ci], Math.min(1, rounds - 1), rounds);
      java.util.Arrays.sort(proc);
      System.out.printf("[%s] task-thread CPU MB/s: best %.1f, median %.1f; process CPU MB/s:"
              + " median %.1f; over %d rounds%n", configs.get(ci), rest[rest.length - 1],
          rest[rest.length / 2], proc[proc.length / 2], rest.length);
    }
  }

  static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long gcMillis() {
    long t = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  /** Reading and tokenizing alone: the ceiling for any map output path. */
  static void baseline(Path text, long size) throws Exception {
    java.lang.management.ThreadMXBean mx =
        java.lang.management.ManagementFactory.getThreadMXBean();
    for (int r = 0; r < 2; r++) {
      long c0 = mx.getCurrentThreadCpuTime();
      long words = 0;
      try (var reader = new dev.quern.api.io.LineRecordReader(
          new FileSplit(text.toString(), 0, size, List.of()))) {
        while (reader.next()) {
          java.util.StringTokenizer t = new java.util.StringTokenizer(reader.value());
          while (t.hasMoreTokens()) {
            words += t.nextToken().length();
          }
        }
      }
      double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
      System.out.printf("baseline read+tokenize: %.2f s cpu (%.1f MB/s) %d%n", cpu,
          size / 1048576.0 / cpu, words);
    }
  }

  /** Zipf-distributed words over a vocabulary (default 200k words), lines of 5 to 15 words, seeded. */
  static void generate(Path file, long bytes, int vocab) throws Exception {
    Random rnd = new Random(1);
    String[] words = new String[vocab];
    for (int i = 0; i < vocab; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 2 + rnd.nextInt(9);
      for (int j = 0; j < len; j++) {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
      words[i] = sb.toString();
    }
    double[] cdf = new double[vocab];
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += 1.0 / (i + 1);
      cdf[i] = sum;
    }
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      while (written < bytes) {
        StringBuilder line = new StringBuilder();
        int n = 5 + rnd.nextInt(11);
        for (int i = 0; i < n; i++) {
          double u = rnd.nextDouble() * sum;
          int idx = java.util.Arrays.binarySearch(cdf, u);
          idx = idx < 0 ? -idx - 1 : idx;
          if (i > 0) {
            line.append(' ');
          }
          line.append(words[Math.min(idx, vocab - 1)]);
        }
        line.append('\n');
        w.write(line.toString());
        written += line.length();
      }
    }
  }
}
