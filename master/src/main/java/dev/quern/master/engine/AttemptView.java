package dev.quern.master.engine;

import dev.quern.api.Counters;
import java.util.Map;

/**
 * One attempt, for monitoring.
 *
 * @param id e.g. {@code job-0001/m-00003/2}
 * @param attempt the attempt number, from 1
 * @param workerId the worker it ran on
 * @param startTime epoch milliseconds
 * @param endTime epoch milliseconds, -1 while running
 * @param state where the attempt is
 * @param progress 0 to 1 (1 once succeeded)
 * @param records input records read (map) or reduce input records (reduce), once succeeded
 * @param bytes input bytes (map) or shuffle bytes (reduce), once succeeded
 * @param outputRecords records the attempt wrote (map output, or the job's output for a reduce
 *     or a map of a map-only job), once succeeded
 * @param outputBytes bytes of that output (serialized map output before compression, or the
 *     output files' bytes), once succeeded
 * @param error why it failed or was killed; null otherwise
 * @param stackTrace the user's stack trace of a failure; null otherwise
 * @param counters every counter the attempt reported (group, name, value); empty until it
 *     succeeded
 */
public record AttemptView(String id, int attempt, String workerId, long startTime, long endTime,
    AttemptState state, double progress, long records, long bytes, long outputRecords,
    long outputBytes, String error, String stackTrace, Map<String, Map<String, Long>> counters) {

  public AttemptView {
    counters = Counters.of(counters).asMap();
  }

  /** Whether the attempt reported its counters (it succeeded, perhaps losing its output later). */
  public boolean reported() {
    return state == AttemptState.SUCCEEDED || state == AttemptState.OUTPUT_LOST;
  }
}
