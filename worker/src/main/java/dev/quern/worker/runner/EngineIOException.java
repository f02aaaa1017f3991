package dev.quern.worker.runner;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The engine's own I/O failure, carried through user code that cannot throw checked exceptions
 * (an emit, a values iterator); the task unwraps it again. Distinct from a user's own
 * UncheckedIOException, which propagates unchanged.
 */
public final class EngineIOException extends UncheckedIOException {
  public EngineIOException(IOException cause) {
    super(cause.getMessage(), cause);
  }
}
