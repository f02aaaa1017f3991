package dev.quern.master.http.json;

/**
 * Progress of one phase (map or reduce) of a job.
 *
 * @param tasks number of tasks in the phase
 * @param done tasks finished (output recorded or committed)
 * @param running tasks with a running attempt
 * @param failedAttempts attempts that failed so far
 * @param fraction 0 to 1
 */
public record ProgressDoc(int tasks, int done, int running, int failedAttempts, double fraction) {}
