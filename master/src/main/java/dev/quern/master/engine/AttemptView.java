package dev.quern.master.engine;

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
 * @param error why it failed or was killed; null otherwise
 * @param stackTrace the user's stack trace of a failure; null otherwise
 */
public record AttemptView(String id, int attempt, String workerId, long startTime, long endTime,
    AttemptState state, double progress, long records, long bytes, String error,
    String stackTrace) {}
