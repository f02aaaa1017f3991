package dev.quern.cli;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A driver for tests that run {@code bin/quern} as a process: {@code IN OUT} runs one map-only job
 * whose mapper waits for a line on the process's standard input before it emits each line, so the
 * test decides when the job may end.
 */
public final class StdinGatedDriver {
  private StdinGatedDriver() {}

  public static void main(String[] args) throws Exception {
    JobStatus s = Job.builder("gated").input(args[0]).output(args[1])
        .mapper(Gated.class).mapOutput(String.class, Long.class).reduceTasks(0)
        .build().waitForCompletion();
    if (!s.succeeded()) {
      throw new IllegalStateException("job gated " + s.state() + ": " + s.failure());
    }
  }

  /** Waits for the test's line on stdin (once), then emits each line. */
  public static final class Gated implements Mapper<Long, String, String, Long> {
    private boolean released;

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      if (!released) {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        released = true;
      }
      ctx.emit(line, 1L);
    }
  }
}
