package dev.quern.master.http;

/** The answer to a kill request. */
public record KillOutcome(Result result, String message) {

  public enum Result {
    /** The kill was sent; the job ends as KILLED shortly. */
    KILLING,
    NOT_FOUND,
    /** The job already ended, or comes from the history and cannot be killed. */
    NOT_RUNNING
  }

  public static KillOutcome killing(String id) {
    return new KillOutcome(Result.KILLING, "killing job " + id);
  }

  public static KillOutcome notFound(String id) {
    return new KillOutcome(Result.NOT_FOUND, "no job '" + id + "'");
  }

  public static KillOutcome notRunning(String id, String why) {
    return new KillOutcome(Result.NOT_RUNNING, "job " + id + " cannot be killed: " + why);
  }
}
