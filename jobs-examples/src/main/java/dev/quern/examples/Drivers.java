package dev.quern.examples;

import dev.quern.api.Job;
import dev.quern.api.JobStatus;

/**
 * What the example drivers share: reading {@code IN OUT} arguments (or falling back to the
 * built-in sample) and waiting for a job.
 *
 * <p>Drivers signal failure by throwing, not by {@code System.exit}, so that {@code quern submit}
 * can run them inside its own JVM and report the reason; run as a plain {@code java} program, an
 * uncaught exception still exits with status 1.
 */
public final class Drivers {
  private Drivers() {}

  /**
   * The input and output paths: the first two arguments, or the built-in sample and a fresh
   * directory under the system temp directory when there are no arguments.
   *
   * @param usage the example's usage line, for the error on a wrong argument count
   * @param extra how many arguments may follow IN and OUT
   */
  public static Samples.InOut inOut(String example, String usage, String[] args, int extra) {
    if (args.length == 0) {
      Samples.InOut io = Samples.prepare(example);
      System.out.println(example + ": no arguments, so running on the built-in sample in "
          + io.input());
      return io;
    }
    if (args.length < 2 || args.length > 2 + extra) {
      throw new IllegalArgumentException("usage: " + usage);
    }
    return new Samples.InOut(args[0], args[1]);
  }

  /** Submits the job and waits; throws naming the job and its failure unless it succeeded. */
  public static JobStatus run(Job job) throws InterruptedException {
    JobStatus status = job.waitForCompletion();
    if (!status.succeeded()) {
      throw new ExampleFailedException("job '" + job.spec().name() + "' (" + status.id() + ") "
          + status.state().name().toLowerCase(java.util.Locale.ROOT) + ": "
          + firstLine(status.failure()));
    }
    return status;
  }

  private static String firstLine(String text) {
    if (text == null || text.isBlank()) {
      return "no reason given";
    }
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).strip();
  }
}
