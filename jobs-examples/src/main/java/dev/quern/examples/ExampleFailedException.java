package dev.quern.examples;

/**
 * An example's job ended without success; the message names the job and says why in one line.
 */
public class ExampleFailedException extends RuntimeException {
  public ExampleFailedException(String message) {
    super(message);
  }
}
