package dev.quern.master.engine;

/** The life of one task, derived from its attempts. */
public enum TaskState {
  PENDING,
  RUNNING,
  /** Map output recorded (MapDone) or output committed (TaskCommitted). */
  DONE,
  FAILED,
  KILLED
}
