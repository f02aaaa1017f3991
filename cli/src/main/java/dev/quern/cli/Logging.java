package dev.quern.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command keeps the engine quiet (errors only) so that its own output stays readable;
 * {@code --verbose} lets the engine's INFO logs through.
 */
final class Logging {
  private Logging() {}

  static void configure(boolean verbose) {
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(verbose ? Level.INFO : Level.ERROR);
    }
  }
}
