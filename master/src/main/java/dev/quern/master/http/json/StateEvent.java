package dev.quern.master.http.json;

/**
 * One change sent on {@code GET /api/v1/events}.
 *
 * @param type {@code job}, {@code task}, {@code attempt}, or {@code progress} (a running job's
 *     progress moved on; {@code state} is then the job's state)
 * @param task the task name for task and attempt events, else null
 * @param attempt the attempt id for attempt events, else null
 * @param state the new state's name
 * @param time epoch millis of the change
 */
public record StateEvent(String type, String jobId, String task, String attempt, String state,
    long time) {

  public static StateEvent job(String jobId, String state, long time) {
    return new StateEvent("job", jobId, null, null, state, time);
  }

  public static StateEvent attempt(String jobId, String task, String attempt, String state,
      long time) {
    return new StateEvent("attempt", jobId, task, attempt, state, time);
  }
}
