package dev.quern.cli;

import dev.quern.api.JobStatus;
import java.util.Locale;
import java.util.Map;

/** The text the command prints about a job: its progress line and its final summary. */
final class JobReport {
  private JobReport() {}

  /** e.g. {@code job-1 wordcount  RUNNING  map  45%  reduce   0%}. */
  static String progressLine(JobStatus s) {
    return String.format(Locale.ROOT, "%s %s  %s  map %3d%%  reduce %3d%%", s.id(), s.name(),
        s.state(), percent(s.mapProgress()), percent(s.reduceProgress()));
  }

  /** As {@link #summary(JobStatus, double, double)} without the time from submission. */
  static String summary(JobStatus s, double seconds) {
    return summary(s, seconds, Double.NaN);
  }

  /**
   * e.g. {@code job-1 wordcount SUCCEEDED in 2.3 s}, then the counters, one per line, under their
   * group; a failed job's reason follows its state on the first line. {@code seconds} is the
   * job's run, from its first task's start to its end (the API's {@code durationMillis});
   * {@code sinceSubmit}, from its submission to its end, follows in parentheses when it is 0.1 s
   * or more longer (NaN: unknown).
   */
  static String summary(JobStatus s, double seconds, double sinceSubmit) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s %s %s in %.1f s", s.id(), s.name(), s.state(),
        seconds));
    if (sinceSubmit - seconds >= 0.1) {
      out.append(String.format(Locale.ROOT, " (%.1f s from submission)", sinceSubmit));
    }
    if (!s.succeeded() && s.failure() != null) {
      out.append(": ").append(Errors.firstLine(s.failure()));
    }
    if (s.counters() != null) {
      for (Map.Entry<String, Map<String, Long>> g : s.counters().asMap().entrySet()) {
        out.append(System.lineSeparator()).append("  ").append(g.getKey());
        for (Map.Entry<String, Long> c : g.getValue().entrySet()) {
          out.append(System.lineSeparator())
              .append(String.format(Locale.ROOT, "    %-26s %,d", c.getKey(), c.getValue()));
        }
      }
    }
    return out.toString();
  }

  static int percent(double fraction) {
    return (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
  }
}
