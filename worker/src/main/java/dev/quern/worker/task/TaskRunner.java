package dev.quern.worker.task;

/**
 * Runs one task attempt to the end on the calling thread (a worker slot's thread, never an actor
 * dispatcher). The caller supplies the job's class loader. The runner checks the thread's
 * interrupt flag between records and stops with {@link InterruptedException} when the attempt is
 * killed. User code's exceptions propagate as they are, so the master can report them.
 */
public interface TaskRunner {

  TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress) throws Exception;
}
