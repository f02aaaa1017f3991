package dev.quern.master.engine;

import dev.quern.api.Configuration;
import java.util.Locale;

/**
 * The scheduling settings of one job, read from its configuration ({@link EngineKeys}): once at
 * submission by {@link #check} (a bad value refuses the job, naming the key), and by the
 * {@link Scheduler} for each live job.
 *
 * @param speculation whether stragglers get a second attempt
 * @param multiplier how many times the stage's median run time is slow
 * @param quantile fraction of the stage's tasks done before it is speculated on
 * @param minRuntimeMs least run time of an attempt that is speculated on
 * @param durationThresholdMs run time that is slow while the stage has no median; -1 for none
 * @param excludeAfterFailures failed attempts on one worker after which the job avoids it; 0 off
 * @param localityWaitMs how long a map waits for a slot on a host of its split
 * @param slowStart fraction of maps done before reduces may start
 */
public record JobPolicy(boolean speculation, double multiplier, double quantile,
    long minRuntimeMs, long durationThresholdMs, int excludeAfterFailures, long localityWaitMs,
    double slowStart) {

  /** What a job that sets none of the keys gets. */
  public static final JobPolicy DEFAULTS = new JobPolicy(false, 1.5, 0.75, 100, -1, 3, 3_000, 1.0);

  /**
   * The policy of a job's configuration; throws {@link IllegalArgumentException} naming the key
   * and the value for a value that does not parse or is out of range.
   */
  public static JobPolicy check(Configuration conf) {
    boolean old = bool(conf, EngineKeys.SPECULATIVE, false);
    boolean speculation = bool(conf, EngineKeys.SPECULATION, old);
    double multiplier = number(conf, EngineKeys.SPECULATION_MULTIPLIER, DEFAULTS.multiplier,
        1, 1_000);
    double quantile = number(conf, EngineKeys.SPECULATION_QUANTILE, DEFAULTS.quantile, 0, 1);
    long minRuntime = duration(conf, EngineKeys.SPECULATION_MIN_RUNTIME, DEFAULTS.minRuntimeMs);
    long threshold = duration(conf, EngineKeys.SPECULATION_TASK_DURATION_THRESHOLD, -1);
    long failures = number(conf, EngineKeys.EXCLUDE_AFTER_FAILURES,
        DEFAULTS.excludeAfterFailures, 0, 1_000_000);
    long wait = duration(conf, EngineKeys.LOCALITY_WAIT, DEFAULTS.localityWaitMs);
    double slowStart = number(conf, EngineKeys.REDUCE_SLOWSTART, DEFAULTS.slowStart, 0, 1);
    return new JobPolicy(speculation, multiplier, quantile, minRuntime, threshold,
        (int) failures, wait, slowStart);
  }

  /** As {@link #check}, but a value that does not parse gives the default (a book from a log). */
  static JobPolicy lenient(Configuration conf) {
    try {
      return check(conf);
    } catch (IllegalArgumentException e) {
      return DEFAULTS;
    }
  }

  private static boolean bool(Configuration conf, String key, boolean dflt) {
    return conf.getBoolean(key, dflt);
  }

  private static double number(Configuration conf, String key, double dflt, double min,
      double max) {
    String v = conf.get(key);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "a number from " + fmt(min) + " to " + fmt(max));
    }
    if (!(d >= min && d <= max)) {
      throw bad(key, v, "a number from " + fmt(min) + " to " + fmt(max));
    }
    return d;
  }

  private static long number(Configuration conf, String key, long dflt, long min, long max) {
    String v = conf.get(key);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "a whole number from " + min + " to " + max);
    }
    if (n < min || n > max) {
      throw bad(key, v, "a whole number from " + min + " to " + max);
    }
    return n;
  }

  /** Milliseconds: a bare number, or a number with {@code ms}, {@code s}, {@code m} or {@code h}. */
  static long duration(Configuration conf, String key, long dflt) {
    String v = conf.get(key);
    if (v == null) {
      return dflt;
    }
    String t = v.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    String digits = t;
    if (t.endsWith("ms")) {
      digits = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      unit = 1_000;
      digits = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 60_000;
      digits = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      unit = 3_600_000;
      digits = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(digits.trim());
      if (n >= 0 && n <= Long.MAX_VALUE / unit / 1_000) {
        return n * unit;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad(key, v, "a duration such as 500ms, 3s or 2m (a bare number is milliseconds)");
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static IllegalArgumentException bad(String key, String value, String expected) {
    return new IllegalArgumentException("configuration entry '" + key + "' must be " + expected
        + ", got '" + value + "'");
  }
}
