package dev.quern.api;

/**
 * A snapshot of a job as the master sees it.
 *
 * <pre>{@code
 * JobStatus s = job.waitForCompletion();
 * if (!s.succeeded()) System.err.println(s.failure());
 * }</pre>
 *
 * @param id the job id given by the master, e.g. {@code job-0001}
 * @param name the job's name
 * @param state where the job is in its life
 * @param mapProgress fraction of map work done, 0 to 1
 * @param reduceProgress fraction of reduce work done, 0 to 1
 * @param counters totals of the committed attempts (and the failed-attempt counts)
 * @param failure for a failed job, the reason: which task and attempt, the message and the stack
 *     trace of the user's exception; null otherwise
 */
public record JobStatus(
    String id,
    String name,
    JobState state,
    double mapProgress,
    double reduceProgress,
    Counters counters,
    String failure) {

  public boolean succeeded() {
    return state == JobState.SUCCEEDED;
  }

  public boolean isDone() {
    return state.isFinal();
  }
}
