package dev.quern.master.engine;

import dev.quern.worker.task.TaskAttemptId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run times of one stage of a live job (its maps, or its reduces) as speculation needs them:
 * the median run time of its finished attempts, and its running attempts in the order they
 * started, so that a check looks at the oldest ones only (a straggler is old; the first attempt
 * that is not old enough ends the check). Kept up to date from the book's events.
 */
final class Stage {
  private final RunningMedian durations = new RunningMedian();
  /** Running attempts speculation has not yet dealt with, oldest start first. */
  private final LinkedHashMap<TaskAttemptId, BookAttempt> candidates = new LinkedHashMap<>();
  private int running;

  void started(BookAttempt a) {
    candidates.put(a.id(), a);
    running++;
  }

  /** The attempt ended; {@code succeeded} adds its run time to the median. */
  void ended(BookAttempt a, boolean succeeded) {
    candidates.remove(a.id());
    running--;
    if (succeeded) {
      durations.add(Math.max(0, a.endTime() - a.startTime()));
    }
  }

  /** A finished attempt read from a book: only its run time counts. */
  void finishedBefore(BookAttempt a) {
    durations.add(Math.max(0, a.endTime() - a.startTime()));
  }

  /** Running attempts of the stage. */
  int running() {
    return running;
  }

  /** How many finished attempts the median is over. */
  int finished() {
    return durations.size();
  }

  double median() {
    return durations.median();
  }

  /** The candidates, oldest first; remove through the iterator the ones dealt with. */
  Iterator<Map.Entry<TaskAttemptId, BookAttempt>> candidates() {
    return candidates.entrySet().iterator();
  }

  /**
   * Run time after which an attempt of this stage is slow, as Spark's {@code
   * checkSpeculatableTasks}: once {@code quantile} of the stage's {@code total} tasks are done,
   * {@code multiplier} times the median run time of finished attempts (at least {@code
   * minRuntimeMs}); before that, the policy's task duration threshold, if it has one; else
   * {@link Long#MAX_VALUE} (nothing is slow yet).
   */
  long slowAfter(JobPolicy policy, int done, int total) {
    int needed = Math.max(1, (int) Math.floor(policy.quantile() * total));
    if (done >= needed && finished() > 0) {
      return Math.max((long) Math.ceil(policy.multiplier() * median()), policy.minRuntimeMs());
    }
    return policy.durationThresholdMs() >= 0 ? policy.durationThresholdMs() : Long.MAX_VALUE;
  }
}
