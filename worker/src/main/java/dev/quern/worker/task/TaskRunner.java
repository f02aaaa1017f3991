package dev.quern.worker.task;

/**
 * Runs one task attempt to the end on the calling thread (a worker slot's thread, never an actor
 * dispatcher). The caller supplies the job's class loader. The runner checks the thread's
 * interrupt flag between records and stops with {@link InterruptedException} when the attempt is
 * killed. User code's exceptions propagate as they are, so the master can report them.
 */
public interface TaskRunner {

  TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress) throws Exception;

  /**
   * As {@link #run(TaskSpec, ClassLoader, TaskProgress)}, for a reduce whose map outputs may
   * change while it runs: {@code feed} (null for a map) holds them, from the spec's inputs on.
   * A runner that ignores it reads the spec's inputs only.
   */
  default TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress,
      MapOutputFeed feed) throws Exception {
    return run(spec, jobLoader, progress);
  }

  /**
   * Called on the worker's actor thread as soon as {@code attempt}'s kill is decided, before its
   * slot thread is interrupted. A runner that shares a process between attempts (executor JVMs)
   * stops handing that process new attempts here, so the retry of an attempt that ignores its
   * kill cannot land beside it.
   */
  default void killing(TaskAttemptId attempt) {}
}
