package dev.quern.cli.cluster;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The suite's job: a word count (lower-cased, whitespace-separated tokens) whose tasks pass a
 * gate the test controls. Each attempt first writes {@code started-<map|reduce>-<index>-<attempt>}
 * (holding its pid) into the gate directory, then waits while {@code hold-map} (or
 * {@code hold-reduce}) exists there. So a test knows that a task really runs on a worker, and
 * can keep a stage running while it kills or stops a process: no guessing with delays.
 *
 * <p>{@code GatedWordCount IN OUT GATE_DIR}: exits 0 only when the job succeeded.
 */
public final class GatedWordCount {
  static final String GATE = "test.gate.dir";
  static final int REDUCES = 2;

  private GatedWordCount() {}

  public static void main(String[] args) throws Exception {
    JobStatus s = Job.builder("gated-wordcount")
        .input(args[0])
        .output(args[1])
        .mapper(Words.class)
        .combiner(Sum.class)
        .reducer(Sum.class)
        .mapOutput(String.class, Long.class)
        .reduceTasks(REDUCES)
        .set(GATE, args[2])
        .build()
        .waitForCompletion();
    System.out.println("gated-wordcount " + s.id() + " " + s.state());
    if (!s.succeeded()) {
      System.exit(1);
    }
  }

  /** Marks the attempt started, then waits (bounded) while the stage's hold file exists. */
  static void pass(Context<?, ?> context, String kind) throws IOException, InterruptedException {
    Path gate = Path.of(context.configuration().require(GATE));
    Files.writeString(gate.resolve("started-" + kind + "-" + context.taskIndex() + "-"
            + context.attemptId().replaceAll("[^A-Za-z0-9_.-]", "_")),
        Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (Files.exists(gate.resolve("hold-" + kind)) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      context.progress();
    }
  }

  public static final class Words implements Mapper<Long, String, String, Long> {
    @Override
    public void setup(Context<String, Long> context) throws Exception {
      pass(context, "map");
    }

    @Override
    public void map(Long offset, String line, Context<String, Long> context) {
      for (String t : line.split("[ \t]+")) {
        if (!t.isEmpty()) {
          context.emit(t.toLowerCase(Locale.ROOT), 1L);
        }
      }
    }
  }

  public static final class Sum implements Reducer<String, Long, String, Long> {
    private boolean gated;

    @Override
    public void setup(Context<String, Long> context) throws Exception {
      // The combiner runs inside map attempts: only the reduce attempts pass the reduce gate.
      gated = context.attemptId().contains("/r-"); // job-0001/r-00000/0
      if (gated) {
        pass(context, "reduce");
      }
    }

    @Override
    public void reduce(String word, Iterable<Long> counts, Context<String, Long> context) {
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      context.emit(word, sum);
    }
  }
}
