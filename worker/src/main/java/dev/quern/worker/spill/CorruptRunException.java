package dev.quern.worker.spill;

import java.io.IOException;

/** A sorted run's bytes do not decode (truncated, bad block, lengths that do not add up). */
public class CorruptRunException extends IOException {
  public CorruptRunException(String message) {
    super(message);
  }

  public CorruptRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
