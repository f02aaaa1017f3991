package dev.quern.cli;

import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.master.http.json.TaskDoc;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text {@code quern list}, {@code status} and {@code wait} print about jobs. */
final class JobText {
  private static final DateTimeFormatter TIME = DateTimeFormatter
      .ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  private JobText() {}

  /** One row per job under a header; columns as wide as their widest cell. */
  static List<String> table(List<JobDoc> jobs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"JOB", "STATE", "NAME", "USER", "MAP", "REDUCE", "SUBMITTED",
        "DURATION"});
    for (JobDoc j : jobs) {
      rows.add(new String[] {j.id(), j.state(), dash(j.name()), dash(j.user()), percent(j.map()),
          percent(j.reduce()), time(j.submitTime()), duration(j.durationMillis())});
    }
    return align(rows);
  }

  /** The tasks of a job, one row each: the last attempt's worker and state. */
  static List<String> taskTable(List<TaskDoc> tasks) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TASK", "KIND", "STATE", "ATTEMPTS", "LAST ATTEMPT", "WORKER", "INPUT"});
    for (TaskDoc t : tasks) {
      AttemptDoc last = t.attempts().isEmpty() ? null : t.attempts().get(t.attempts().size() - 1);
      rows.add(new String[] {t.id(), t.kind(), t.state(), Integer.toString(t.attempts().size()),
          last == null ? "-" : last.state(), last == null ? "-" : dash(last.worker()),
          dash(t.input())});
    }
    return align(rows);
  }

  /** Every field of a job, one per line, then its counters by group. */
  static List<String> lines(JobDoc j) {
    List<String> out = new ArrayList<>();
    out.add(j.id() + " " + dash(j.name()) + ": " + j.state());
    out.add(field("user", dash(j.user())));
    out.add(field("submitted", time(j.submitTime())));
    out.add(field("started", time(j.startTime())));
    if (j.endTime() != null) {
      out.add(field("ended", time(j.endTime())));
    }
    out.add(field(j.endTime() == null ? "running for" : "ran for", duration(j.durationMillis())));
    out.add(field("map", phase(j.map())));
    out.add(field("reduce", phase(j.reduce())));
    out.add(field("input", j.inputs().isEmpty() ? "-" : String.join(", ", j.inputs())));
    out.add(field("output", dash(j.output())));
    if (j.failure() != null) {
      out.add(field("failure", Errors.firstLine(j.failure())));
    }
    if (!j.counters().isEmpty()) {
      out.add("  counters");
      for (Map.Entry<String, Map<String, Long>> g : j.counters().entrySet()) {
        out.add("    " + g.getKey());
        for (Map.Entry<String, Long> c : g.getValue().entrySet()) {
          out.add(String.format(Locale.ROOT, "      %-26s %,d", c.getKey(), c.getValue()));
        }
      }
    }
    return out;
  }

  /** e.g. {@code job-0001 wordcount RUNNING  map  33% (1/3)  reduce   0% (0/2)}. */
  static String progress(JobDoc j) {
    return String.format(Locale.ROOT, "%s %s %s  map %s  reduce %s", j.id(), dash(j.name()),
        j.state(), phaseShort(j.map()), phaseShort(j.reduce()));
  }

  /** e.g. {@code job-0001 wordcount SUCCEEDED in 3.2 s}, a failure's first line after a colon. */
  static String ending(JobDoc j) {
    return j.id() + " " + dash(j.name()) + " " + j.state() + " in " + duration(j.durationMillis())
        + (j.failure() == null ? "" : ": " + Errors.firstLine(j.failure()));
  }

  private static String phase(ProgressDoc p) {
    if (p == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%3d%%  %d/%d done, %d running, %d failed attempt(s)",
        JobReport.percent(p.fraction()), p.done(), p.tasks(), p.running(), p.failedAttempts());
  }

  private static String phaseShort(ProgressDoc p) {
    return p == null ? "-" : String.format(Locale.ROOT, "%3d%% (%d/%d)",
        JobReport.percent(p.fraction()), p.done(), p.tasks());
  }

  private static String percent(ProgressDoc p) {
    return p == null ? "-" : JobReport.percent(p.fraction()) + "%";
  }

  static String time(Long epochMillis) {
    return epochMillis == null ? "-" : TIME.format(Instant.ofEpochMilli(epochMillis));
  }

  /** {@code 3.2 s}, {@code 4 min 05 s}, {@code 2 h 01 min}; {@code -} when unknown. */
  static String duration(Long millis) {
    if (millis == null) {
      return "-";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1e3);
    }
    long s = millis / 1000;
    return s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
        : String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
  }

  private static String field(String name, String value) {
    return String.format(Locale.ROOT, "  %-12s %s", name, value);
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static List<String> align(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]);
        if (i < r.length - 1) {
          line.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      out.add(line.toString());
    }
    return out;
  }
}
