package dev.quern.master.http;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The jobs the HTTP and browser tests run on a real local cluster. */
public final class TestJobs {
  private TestJobs() {}

  /** Word count over {@code files} generated files; returns the job. */
  public static Job wordCount(Path dir, String name, int files, long seed) throws IOException {
    Path in = Files.createDirectories(dir.resolve(name + "-in"));
    Random random = new Random(seed);
    String[] words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
    for (int f = 0; f < files; f++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < 200; line++) {
        for (int w = 0; w < 8; w++) {
          text.append(words[random.nextInt(words.length)]).append(' ');
        }
        text.append('\n');
      }
      Files.writeString(in.resolve("part-" + f + ".txt"), text);
    }
    return Job.builder(name).user("tester").input(in.toString())
        .output(dir.resolve(name + "-out").toString())
        .mapper(Tokenizer.class).combiner(Sum.class).reducer(Sum.class)
        .mapOutput(String.class, Long.class).reduceTasks(2)
        .set("ui.test.seed", seed).build();
  }

  /** A job whose mapper throws on its first record; one attempt per task, so it fails fast. */
  public static Job failing(Path dir, String name) throws IOException {
    Path in = Files.createDirectories(dir.resolve(name + "-in"));
    Files.writeString(in.resolve("input.txt"), "one line\n");
    return Job.builder(name).user("tester").input(in.toString())
        .output(dir.resolve(name + "-out").toString())
        .mapper(Exploding.class).mapOutput(String.class, Long.class).reduceTasks(1)
        .set("quern.task.max-attempts", 1).build();
  }

  /** A job whose mapper waits on {@link Blocking#RELEASE} before its first record. */
  public static Job blocking(Path dir, String name) throws IOException {
    Path in = Files.createDirectories(dir.resolve(name + "-in"));
    Files.writeString(in.resolve("input.txt"), "wait here\n");
    return Job.builder(name).user("tester").input(in.toString())
        .output(dir.resolve(name + "-out").toString())
        .mapper(Blocking.class).mapOutput(String.class, Long.class).reduceTasks(1).build();
  }

  public static final class Tokenizer implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      for (String w : line.split("\\s+")) {
        if (!w.isEmpty()) {
          ctx.emit(w, 1L);
        }
      }
    }
  }

  public static final class Sum implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long sum = 0;
      for (long v : values) {
        sum += v;
      }
      ctx.emit(key, sum);
    }
  }

  public static final class Exploding implements Mapper<Long, String, String, Long> {
    public static final String MESSAGE = "bad record on purpose";

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      throw new IllegalStateException(MESSAGE + " at offset " + offset);
    }
  }

  /**
   * Blocks until the test releases it (or the attempt is killed and interrupted). Tests count
   * {@code RELEASE} down in their cleanup so no thread stays blocked.
   */
  public static final class Blocking implements Mapper<Long, String, String, Long> {
    public static volatile CountDownLatch RELEASE = new CountDownLatch(1);

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      if (!RELEASE.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never released the blocking mapper");
      }
      ctx.emit(line, 1L);
    }
  }
}
