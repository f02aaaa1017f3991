package dev.quern.worker.shuffle.http;

import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskKind;
import java.util.regex.Pattern;

/**
 * The URL path of one partition of one map output, {@code /shuffle/{job}/{mapAttempt}/{partition}},
 * e.g. {@code /shuffle/job-0001/m-00003_2/7}, and the strict shapes its parts must have. The
 * patterns admit no dot, slash, percent sign or other escape, so a path that passes them can name
 * nothing but a registry entry; both the server and the client check them.
 */
public final class ShufflePaths {
  /** A job id: letters, digits, '-' and '_', starting with a letter or digit, at most 64. */
  static final Pattern JOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  /** A map attempt's directory name ({@code TaskAttemptId.dirName()}), e.g. {@code m-00003_2}. */
  static final Pattern MAP_ATTEMPT = Pattern.compile("m-[0-9]{5,10}_[0-9]{1,10}");
  /** A partition number without sign or leading zeros, below 10^9. */
  static final Pattern PARTITION = Pattern.compile("0|[1-9][0-9]{0,8}");

  static final String PREFIX = "/shuffle/";

  private ShufflePaths() {}

  /** The path that serves {@code partition} of {@code output}; rejects ids of the wrong shape. */
  public static String of(MapOutputRef output, int partition) {
    if (output.attempt().kind() != TaskKind.MAP) {
      throw new IllegalArgumentException(output.attempt() + " is not a map attempt");
    }
    String job = output.attempt().jobId();
    String attempt = output.attempt().dirName();
    if (!JOB.matcher(job).matches()) {
      throw new IllegalArgumentException("job id '" + job + "' is not of the form "
          + JOB.pattern());
    }
    if (!MAP_ATTEMPT.matcher(attempt).matches() || partition < 0
        || partition >= 1_000_000_000) {
      throw new IllegalArgumentException("no shuffle path for " + output.attempt()
          + " partition " + partition);
    }
    return PREFIX + job + "/" + attempt + "/" + partition;
  }
}
