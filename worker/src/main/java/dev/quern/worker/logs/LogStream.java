package dev.quern.worker.logs;

import java.util.Locale;

/** The three files kept per task attempt: what it printed to System.out, System.err, and its log. */
public enum LogStream {
  STDOUT, STDERR, LOG;

  /** The file's name and the API's path segment: {@code stdout}, {@code stderr}, {@code log}. */
  public String fileName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The stream named {@code name} (as {@link #fileName()}), or null. */
  public static LogStream parse(String name) {
    for (LogStream s : values()) {
      if (s.fileName().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
