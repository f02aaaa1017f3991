package dev.quern.worker.map;

/**
 * A mapper emitted a key or value of another class than the job declares with {@code
 * mapOutput(key, value)} (Hadoop's "Type mismatch in key from map"). Its {@link #toString} is the
 * message alone, which says it all.
 */
public final class MapOutputTypeException extends IllegalArgumentException {
  private MapOutputTypeException(String message) {
    super(message);
  }

  static MapOutputTypeException of(String what, Class<?> emitted, Class<?> declared) {
    String message = "map output " + what + " is " + emitted.getName() + " but the job declares "
        + declared.getName() + " (mapOutput)";
    if (declared.isAssignableFrom(emitted)) {
      message += "; emit the declared class itself: records are read back as that class";
    }
    return new MapOutputTypeException(message);
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
