package dev.quern.master.client;

/**
 * A master answered, but not as the API promises for the request: an error status (400, 409, 500,
 * ...) or a body that is not the expected JSON. {@link #status()} and {@link #error()} tell what
 * it said ({@code {"error": ...}} bodies are unpacked).
 */
public final class ApiErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String error;
  private final String master;

  ApiErrorException(String what, int status, String error, String master) {
    super(what + ": " + master + " answered " + status + (error.isEmpty() ? "" : ": " + error));
    this.status = status;
    this.error = error;
    this.master = master;
  }

  public int status() {
    return status;
  }

  /** The server's error text, or the start of its body when it sent no JSON error. */
  public String error() {
    return error;
  }

  /** The {@code host:port} that answered. */
  public String master() {
    return master;
  }
}
