package dev.quern.cli;

import java.lang.reflect.InvocationTargetException;

/** Turns any throwable into the one line the user sees. */
final class Errors {
  private Errors() {}

  /** The first line of the most useful message: the cause's, if the wrapper adds nothing. */
  static String oneLine(Throwable t) {
    Throwable e = t;
    while (e.getCause() != null && (e instanceof InvocationTargetException
        || e.getMessage() == null || e.getMessage().equals(e.getCause().toString()))) {
      e = e.getCause();
    }
    String msg = e.getMessage();
    if (msg == null || msg.isBlank()) {
      return e.getClass().getName();
    }
    String first = firstLine(msg);
    return e instanceof CliException || e instanceof IllegalArgumentException
        || e.getClass().getName().startsWith("dev.quern.")
        ? first
        : e.getClass().getSimpleName() + ": " + first;
  }

  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String t = text.strip();
    int nl = t.indexOf('\n');
    return (nl < 0 ? t : t.substring(0, nl)).strip();
  }
}
