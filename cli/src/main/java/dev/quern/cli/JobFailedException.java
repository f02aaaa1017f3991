package dev.quern.cli;

/**
 * A job of the driver did not succeed: the message is the one line shown; {@link #details} (the
 * failed attempt's stack trace, as the master recorded it) is shown with {@code --verbose}.
 */
final class JobFailedException extends CliException {
  private final String details;

  JobFailedException(String message, String details) {
    super(message);
    this.details = details;
  }

  String details() {
    return details;
  }
}
