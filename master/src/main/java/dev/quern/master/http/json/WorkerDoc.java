package dev.quern.master.http.json;

/**
 * One worker as the leader sees it.
 *
 * @param lastHeartbeat epoch millis of the last heartbeat, or null when none was heard yet
 */
public record WorkerDoc(String id, String address, int slots, int busySlots, Long lastHeartbeat,
    long tasksRun, long tasksFailed) {}
