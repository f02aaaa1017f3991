package dev.quern.worker.runner;

/**
 * Carries a checked exception (e.g. a combiner's, thrown while a spill runs inside an emit)
 * through an interface that cannot throw it; the task rethrows the original unchanged.
 */
public final class CarriedException extends RuntimeException {
  public CarriedException(Exception cause) {
    super(cause.getMessage(), cause, false, false);
  }

  public Exception carried() {
    return (Exception) getCause();
  }
}
