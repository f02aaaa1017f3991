package dev.quern.cli;

/**
 * A failure to show the user as one line (what went wrong and where), without a stack trace
 * unless {@code --verbose} is given.
 */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
