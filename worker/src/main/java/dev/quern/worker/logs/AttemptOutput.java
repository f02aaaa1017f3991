package dev.quern.worker.logs;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The log files of one running attempt: one per {@link LogStream}, each capped, each made at its
 * first byte (an attempt that prints nothing leaves no file, {@link CappedOutput}). Closed when
 * the attempt ends; a thread the task started that writes after that writes to the executor's own
 * stderr instead ({@link ThreadRouting}).
 */
public final class AttemptOutput implements AutoCloseable {
  private final String attempt;
  private final Map<LogStream, CappedOutput> files = new EnumMap<>(LogStream.class);
  private volatile boolean closed;

  AttemptOutput(String attempt, Path dir, long cap) {
    this.attempt = attempt;
    for (LogStream s : LogStream.values()) {
      files.put(s, new CappedOutput(dir.resolve(s.fileName()), cap));
    }
  }

  /** The attempt, e.g. {@code job-0001/m-00000/1}. */
  public String attempt() {
    return attempt;
  }

  /** Where {@code stream}'s bytes go, or null once the attempt ended. */
  OutputStream stream(LogStream stream) {
    return closed ? null : files.get(stream);
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    files.values().forEach(CappedOutput::close);
  }
}
