package dev.quern.cli.cluster;

import dev.quern.testkit.TestProcesses;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The processes of a cluster that a whole test class shares. {@link TestProcesses.Extension}
 * keeps logs only when the test that owns the group fails, and a class-level group's owner (the
 * class) never does, so its logs would be deleted after a failing case; and it kills the group at
 * a case's failure, which would fail every later case of the class. Here a failing case leaves
 * the cluster running for the others and names the log directory; after the class, every process
 * is killed by pid, and the logs stay if any case failed.
 */
final class SharedProcesses implements TestExecutionExceptionHandler, AfterAllCallback {
  private TestProcesses procs;
  private volatile boolean failed;

  TestProcesses open(Class<?> owner) {
    procs = TestProcesses.forTest(owner, "class");
    return procs;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) {
    failed = true;
    throw new AssertionError(Objects.toString(failure.getMessage(), failure.toString())
        + "\n(process logs kept in " + (procs == null ? "?" : procs.logDir()) + ")", failure);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (procs == null) {
      return;
    }
    procs.close();
    if (failed || context.getExecutionException().isPresent()) {
      System.err.println("process logs kept in " + procs.logDir());
    } else {
      procs.deleteLogs();
    }
  }
}
