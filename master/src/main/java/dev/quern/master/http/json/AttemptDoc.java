package dev.quern.master.http.json;

/**
 * One task attempt. Times are epoch millis; {@code endTime} is null while it runs. Record and byte
 * counts come from the attempt's counters and are null until it reports them (on success).
 *
 * @param id e.g. {@code job-0001/m-00003/2}
 * @param attempt the attempt number, from 1
 * @param state {@code RUNNING}, {@code SUCCEEDED}, {@code FAILED}, {@code KILLED} or {@code
 *     OUTPUT_LOST}
 * @param progress 0 to 1 (1 once succeeded)
 * @param error why it failed or was killed, with the stack trace when there is one
 */
public record AttemptDoc(
    String id,
    int attempt,
    String worker,
    Long startTime,
    Long endTime,
    String state,
    double progress,
    Long inputRecords,
    Long inputBytes,
    Long outputRecords,
    Long outputBytes,
    String error) {}
