package dev.quern.master.engine;

/** The master's answer to {@link MasterCommand.SubmitJob}. */
public sealed interface SubmitAnswer {

  /** In the book: the job's first view, published before this answer. */
  record Accepted(JobView view) implements SubmitAnswer {}

  /** The book rejected the job (see {@link Outcome.Rejected}). */
  record Refused(String reason) implements SubmitAnswer {}
}
