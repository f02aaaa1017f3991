package dev.quern.raft.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does when its storage can no longer be trusted ({@link FatalStorageException}, or
 * any failure of {@link RaftPersistence#sync()}). Whatever it does, the node's actor stops
 * afterwards and acknowledges nothing more; the production default {@link #haltProcess()} ends the
 * JVM (fail-stop: a restart from disk, by an operator or a supervisor, is the only safe way on).
 * Tests pass a handler that records the call instead of ending the test JVM.
 */
@FunctionalInterface
public interface FatalHandler {

  /** Exit status of a process stopped by {@link #haltProcess()} (EX_IOERR in sysexits.h). */
  int EXIT_STATUS = 74;

  void fatal(String message, Throwable cause);

  /**
   * Logs the message (slf4j, error level) and prints it with the cause to stderr, then
   * {@link Runtime#halt halts} the JVM with {@link #EXIT_STATUS}. Halt, not exit: shutdown hooks
   * (a graceful actor-system shutdown, say) would let the process go on sending while it stops.
   */
  static FatalHandler haltProcess() {
    return (message, cause) -> {
      try {
        Logger log = LoggerFactory.getLogger(FatalHandler.class);
        log.error("FATAL: {}; stopping the process (exit status {})", message, EXIT_STATUS, cause);
        System.err.println("FATAL: " + message + "; stopping the process (exit status " + EXIT_STATUS + ")");
        if (cause != null) {
          cause.printStackTrace(System.err);
        }
        System.err.flush();
      } finally {
        Runtime.getRuntime().halt(EXIT_STATUS);
      }
    };
  }
}
