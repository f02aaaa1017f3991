package dev.quern.cli;

import dev.quern.master.http.json.JobDoc;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quern wait JOB}: polls a job until it ends, printing a line whenever its progress
 * changes; exit 0 if it SUCCEEDED, 1 if it FAILED or was KILLED (as a driver's {@code
 * waitForCompletion} exits under {@code hadoop jar}). Each poll goes through the cluster client,
 * so a leader failover only delays the next line.
 */
@Command(name = "wait", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Waits until a job ends, printing its progress as it changes. Exit code 0 if "
        + "it SUCCEEDED, 1 if it FAILED or was KILLED.",
    footer = JobApiOptions.EXIT_CODES)
final class WaitCommand implements Callable<Integer> {
  /**
   * How long a job may be unknown before wait says so: a master that has not yet applied the
   * submission (a follower a few entries behind) answers 404 for a job the leader just accepted.
   */
  static final long UNKNOWN_GRACE_MS = 3_000;

  @Mixin JobApiOptions api;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id, e.g. job-0001.")
  String job;

  @Option(names = "--interval", paramLabel = "MILLIS", defaultValue = "500",
      description = "Time between polls (default ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
      description = "Give up (exit 5) when the job still runs after this long; 0: never "
          + "(default).")
  long timeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (intervalMillis < 10 || timeoutSeconds < 0) {
      throw new UsageException("need --interval >= 10 and --timeout >= 0");
    }
    return api.run(spec, (client, out) -> {
      long start = System.nanoTime();
      Long missingSince = null;
      String shown = null;
      while (true) {
        Optional<JobDoc> j = client.job(job);
        long now = System.nanoTime();
        if (j.isEmpty()) {
          missingSince = missingSince == null ? now : missingSince;
          if (now - missingSince >= TimeUnit.MILLISECONDS.toNanos(UNKNOWN_GRACE_MS)) {
            return JobApiOptions.fail(spec, "no job '" + job + "' at "
                + String.join(",", client.masters().masters()), JobApiOptions.NO_SUCH_JOB);
          }
        } else {
          missingSince = null;
          JobDoc d = j.get();
          if (d.isFinal()) {
            if (api.json) {
              JobApiOptions.printJson(out, d);
            } else {
              out.println(JobText.ending(d));
            }
            return d.state().equals("SUCCEEDED") ? JobApiOptions.OK
                : JobApiOptions.JOB_NOT_SUCCEEDED;
          }
          String line = JobText.progress(d);
          if (!api.json && !line.equals(shown)) {
            out.println(line);
            out.flush();
            shown = line;
          }
        }
        long sleep = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        if (timeoutSeconds > 0) {
          long left = start + TimeUnit.SECONDS.toNanos(timeoutSeconds) - now;
          if (left <= 0) {
            return JobApiOptions.fail(spec, "job " + job + " still " + j.map(JobDoc::state)
                .orElse("unknown") + " after " + timeoutSeconds + " s", JobApiOptions.TIMED_OUT);
          }
          sleep = Math.min(sleep, left);
        }
        TimeUnit.NANOSECONDS.sleep(sleep);
      }
    });
  }
}
