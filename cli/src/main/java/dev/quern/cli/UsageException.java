package dev.quern.cli;

/**
 * A command line that parses but asks for something impossible ({@code --master yarn}, {@code
 * local[0]}, a port out of range): exit code 2, like a command line that does not parse.
 */
public class UsageException extends CliException {
  public UsageException(String message) {
    super(message);
  }
}
