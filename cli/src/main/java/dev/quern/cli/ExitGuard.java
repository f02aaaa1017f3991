package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import dev.quern.worker.actor.RunningAttempts;
import dev.quern.worker.task.TaskSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happens when the JVM exits while the command runs jobs: a task or the driver calls {@code
 * System.exit}, or Ctrl-C or SIGTERM arrives. A shutdown hook kills every job still running (the
 * master removes its {@code _temporary}, and the output directory when the job created it),
 * stops the cluster (which deletes its scratch directory) and prints one line saying which jobs
 * were aborted and why: for {@code System.exit}, who called it (a task attempt, with its split).
 * The exit status stays the caller's (130 for Ctrl-C, 143 for SIGTERM), except that a task's
 * {@code System.exit} ends the command with 1, as any failed job does, whatever status it asked
 * for.
 */
final class ExitGuard implements AutoCloseable {
  private static volatile boolean exiting;

  private final PrintWriter err;
  private final Thread driverThread = Thread.currentThread();
  private final Thread hook;
  private volatile LocalClusters.Running cluster;
  private volatile ReportingSubmitter submitter;

  private ExitGuard(PrintWriter err) {
    this.err = err;
    this.hook = new Thread(this::onExit, "quern-exit-guard");
  }

  /** Installs the hook; {@link #watch} then names what it guards. */
  static ExitGuard install(PrintWriter err) {
    ExitGuard g = new ExitGuard(err);
    Runtime.getRuntime().addShutdownHook(g.hook);
    return g;
  }

  void watch(LocalClusters.Running cluster, ReportingSubmitter submitter) {
    this.cluster = cluster;
    this.submitter = submitter;
  }

  /** True once a guard's hook has started: the JVM is exiting, and the guard reports why. */
  static boolean exiting() {
    return exiting;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is exiting: the hook runs (or ran).
    }
  }

  private void onExit() {
    LocalClusters.Running c = cluster;
    if (c == null) {
      return;
    }
    exiting = true;
    Thread caller = exitingThread();
    Optional<TaskSpec> attempt = caller == null ? Optional.empty() : RunningAttempts.on(caller);
    String why = why(caller, attempt);
    List<JobStatus> aborted = new ArrayList<>();
    ReportingSubmitter s = submitter;
    for (JobHandle h : s == null ? List.<JobHandle>of() : s.submitted()) {
      try {
        JobStatus status = h.status();
        if (!status.isDone() && c.cluster().kill(h.id(), "killed as quern exited: " + why)) {
          aborted.add(status);
        }
      } catch (RuntimeException e) {
        err.println("quern: cannot kill " + h.id() + " while exiting: " + Errors.oneLine(e));
      }
    }
    try {
      c.close();
    } catch (RuntimeException e) {
      err.println("quern: cleaning up while exiting failed: " + Errors.oneLine(e));
    }
    if (!aborted.isEmpty()) {
      err.println("quern: " + names(aborted) + " aborted: " + why + "; "
          + (aborted.size() == 1 ? "its" : "their")
          + " temporary output and scratch data were removed");
    }
    err.flush();
    if (!aborted.isEmpty() && attempt.isPresent()) {
      Runtime.getRuntime().halt(1);
    }
  }

  private String why(Thread caller, Optional<TaskSpec> attempt) {
    if (attempt.isPresent()) {
      return RunningAttempts.describe(attempt.get()) + " called System.exit";
    }
    if (caller == null) {
      return "the JVM is shutting down";
    }
    return switch (caller.getName()) {
      case "SIGINT handler" -> "interrupted (SIGINT, Ctrl-C)";
      case "SIGTERM handler" -> "terminated (SIGTERM)";
      case "SIGHUP handler" -> "hung up (SIGHUP)";
      default -> caller == driverThread ? "the driver called System.exit"
          : caller.getName().endsWith(" handler") ? caller.getName().replace(" handler", "")
          : "thread '" + caller.getName() + "' called System.exit";
    };
  }

  /** The thread inside {@code System.exit} (a signal's handler thread for a signal), if any. */
  private static Thread exitingThread() {
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      for (StackTraceElement f : e.getValue()) {
        if (f.getClassName().equals("java.lang.Shutdown") && f.getMethodName().equals("exit")) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  private static String names(List<JobStatus> jobs) {
    List<String> names = new ArrayList<>();
    for (JobStatus j : jobs) {
      names.add("'" + j.name() + "' (" + j.id() + ")");
    }
    return (jobs.size() == 1 ? "job " : "jobs ") + String.join(", ", names);
  }
}
