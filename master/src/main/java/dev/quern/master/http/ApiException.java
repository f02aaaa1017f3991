package dev.quern.master.http;

/** An error answer: the HTTP status and the message sent as {@code {"error": message}}. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  static ApiException notFound(String what) {
    return new ApiException(404, what);
  }

  static ApiException badRequest(String what) {
    return new ApiException(400, what);
  }
}
