package dev.quern.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running cluster process logs what it does (Quern's INFO lines) and others' warnings,
 * to its standard output; {@code --verbose} lets everything's INFO through.
 */
final class ProcessLogging {
  private ProcessLogging() {}

  static void configure(boolean verbose) {
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(verbose ? Level.INFO : Level.WARN);
    }
    if (LoggerFactory.getLogger("dev.quern") instanceof Logger quern) {
      quern.setLevel(Level.INFO);
    }
  }
}
