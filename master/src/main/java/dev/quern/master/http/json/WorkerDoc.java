package dev.quern.master.http.json;

/**
 * One worker as the leader sees it.
 *
 * @param lastHeartbeat epoch millis of the last message the master heard from the worker (its
 *     registration or an attempt report, to within a second), or null when unknown
 */
public record WorkerDoc(String id, String address, int slots, int busySlots, Long lastHeartbeat,
    long tasksRun, long tasksFailed) {}
