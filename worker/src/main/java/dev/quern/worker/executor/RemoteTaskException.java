package dev.quern.worker.executor;

import dev.quern.worker.task.MapOutputLostException;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * An attempt's failure in its executor JVM, as the executor described it: its {@code toString}
 * is the original exception's, its stack trace the executor's. A lost map output comes back as
 * the cause, so the worker reports it as the in-process path does.
 */
final class RemoteTaskException extends Exception {
  private final String description;
  private final String remoteTrace;

  RemoteTaskException(String description, String remoteTrace, MapOutputLostException lost) {
    super(description, lost, false, false);
    this.description = description;
    this.remoteTrace = remoteTrace;
  }

  @Override
  public String toString() {
    return description;
  }

  @Override
  public void printStackTrace(PrintWriter w) {
    w.print(remoteTrace != null ? remoteTrace : description + "\n");
  }

  @Override
  public void printStackTrace(PrintStream s) {
    s.print(remoteTrace != null ? remoteTrace : description + "\n");
  }
}
