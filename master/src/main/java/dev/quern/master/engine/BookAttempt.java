package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.worker.task.TaskAttemptId;

/** One attempt as the book knows it; changed only by {@link JobBook#apply}. */
public final class BookAttempt {
  private final TaskAttemptId id;
  private final String workerId;
  private final long startTime;
  private long endTime = -1;
  private AttemptState state = AttemptState.RUNNING;
  private String error;
  private String stackTrace;
  private Counters counters;
  /** How often this attempt changed since it was made (see {@link BookTask#viewVersion}). */
  private int changes;

  BookAttempt(TaskAttemptId id, String workerId, long startTime) {
    this.id = id;
    this.workerId = workerId;
    this.startTime = startTime;
  }

  /** An attempt as a snapshot recorded it. */
  BookAttempt(TaskAttemptId id, String workerId, long startTime, long endTime,
      AttemptState state, String error, String stackTrace, Counters counters) {
    this(id, workerId, startTime);
    this.endTime = endTime;
    this.state = state;
    this.error = error;
    this.stackTrace = stackTrace;
    counters(counters);
  }

  void end(AttemptState newState, long time, String error, String stackTrace) {
    changes++;
    this.state = newState;
    this.endTime = time;
    this.error = error;
    this.stackTrace = stackTrace;
  }

  void markOutputLost(String reason) {
    changes++;
    this.state = AttemptState.OUTPUT_LOST;
    this.error = reason;
  }

  void counters(Counters c) {
    changes++;
    this.counters = c == null ? null : c.copy();
  }

  int changes() {
    return changes;
  }

  public TaskAttemptId id() {
    return id;
  }

  public String workerId() {
    return workerId;
  }

  public long startTime() {
    return startTime;
  }

  /** -1 while running. */
  public long endTime() {
    return endTime;
  }

  public AttemptState state() {
    return state;
  }

  public boolean isRunning() {
    return state == AttemptState.RUNNING;
  }

  public String error() {
    return error;
  }

  public String stackTrace() {
    return stackTrace;
  }

  /** A copy of the counters the attempt reported when it succeeded; null otherwise. */
  public Counters counters() {
    return counters == null ? null : counters.copy();
  }
}
