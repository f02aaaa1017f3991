package dev.quern.cli;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A driver for the UI tests: {@code IN OUT} runs one map-only job whose mapper waits at {@link
 * #RELEASE}. The test jar holds these classes, but the job's loaders delegate to the test's class
 * loader first, so the test and the mapper share the latches.
 */
public final class LatchedDriver {
  public static volatile CountDownLatch STARTED = new CountDownLatch(1);
  public static volatile CountDownLatch RELEASE = new CountDownLatch(1);

  private LatchedDriver() {}

  public static void main(String[] args) throws Exception {
    JobStatus s = Job.builder("latched").input(args[0]).output(args[1])
        .mapper(Waiting.class).mapOutput(String.class, Long.class).reduceTasks(0)
        .build().waitForCompletion();
    if (!s.succeeded()) {
      throw new IllegalStateException("job latched " + s.state() + ": " + s.failure());
    }
  }

  /** Emits each line once the test releases it. */
  public static final class Waiting implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      STARTED.countDown();
      if (!RELEASE.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never released the mapper");
      }
      ctx.emit(line, 1L);
    }
  }
}
