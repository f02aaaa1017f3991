package dev.quern.api;

/**
 * A job was refused at submission; nothing was changed. The message says what and where, e.g.
 * {@code output directory /data/out already exists}.
 */
public class JobSubmissionException extends RuntimeException {
  public JobSubmissionException(String message) {
    super(message);
  }

  public JobSubmissionException(String message, Throwable cause) {
    super(message, cause);
  }
}
