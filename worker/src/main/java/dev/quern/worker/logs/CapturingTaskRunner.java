package dev.quern.worker.logs;

import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process runner's capture ({@code quern.worker.task-isolation = in-process}): each
 * attempt's {@code System.out}, {@code System.err} and log lines go to its files as in an
 * executor, by the same thread mark ({@link ThreadRouting}, {@link AttemptLogAppender}, which
 * {@link #install} puts in the worker's own JVM). What it cannot capture there: output that user
 * code writes to {@link java.io.FileDescriptor#out} directly or from native code, and anything
 * from a thread not started by the attempt's thread (a pool the job made in a static
 * initializer on another attempt's thread, say) — that goes to the worker's own stdout/stderr.
 */
public final class CapturingTaskRunner implements TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(CapturingTaskRunner.class);

  private final TaskRunner delegate;
  private final AttemptLogs logs;

  public CapturingTaskRunner(TaskRunner delegate, AttemptLogs logs) {
    this.delegate = delegate;
    this.logs = logs;
  }

  /** Routes this JVM's System.out/System.err by thread and adds the attempt log appender. */
  public static void install() {
    install(false);
  }

  /**
   * As {@link #install()}; with {@code alsoToConsole} (local mode) an attempt's output and log
   * lines still reach the console as before, and its files too ({@link
   * ThreadRouting#install(boolean)}).
   */
  public static void install(boolean alsoToConsole) {
    ThreadRouting.install(alsoToConsole);
    if (!AttemptLogAppender.install()) {
      log.warn("slf4j is not bound to logback: the attempts' log lines are not kept per attempt");
    }
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress)
      throws Exception {
    return run(spec, jobLoader, progress, null);
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress,
      MapOutputFeed feed) throws Exception {
    AttemptOutput out;
    try {
      out = logs.open(spec.id());
    } catch (IOException e) {
      log.warn("attempt {}: cannot open its log files in {}: {}", spec.id(), logs.root(),
          e.toString());
      return delegate.run(spec, jobLoader, progress, feed);
    }
    AttemptOutput before = ThreadRouting.current();
    ThreadRouting.enter(out);
    try {
      return delegate.run(spec, jobLoader, progress, feed);
    } finally {
      out.close();
      if (before != null) {
        ThreadRouting.enter(before);
      } else {
        ThreadRouting.leave();
      }
    }
  }

  @Override
  public void killing(TaskAttemptId attempt) {
    delegate.killing(attempt);
  }
}
