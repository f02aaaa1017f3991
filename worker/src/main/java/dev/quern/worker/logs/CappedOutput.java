package dev.quern.worker.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One attempt's log file, written up to a cap of bytes: past the cap the rest is dropped (the
 * head is kept, where a task says what it does; its failure's stack trace travels with the
 * attempt's error anyway), and on close one last line says how many bytes were dropped. So a
 * chatty task cannot fill the worker's disk. Never throws: a task's print must not fail because
 * its log could not be written (a failed write drops the rest of the file). Thread-safe.
 */
final class CappedOutput extends OutputStream {
  private final Path file;
  private final long cap;
  private OutputStream out;
  private long written;
  private long dropped;
  private boolean closed;

  CappedOutput(Path file, long cap) throws IOException {
    this.file = file;
    this.cap = cap;
    this.out = Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (closed || out == null) {
      dropped += closed ? 0 : len;
      return;
    }
    int n = (int) Math.min(len, cap - written);
    if (n > 0) {
      try {
        out.write(b, off, n);
        written += n;
      } catch (IOException e) {
        out = null; // the disk failed us: drop the rest rather than fail the task's print
      }
    }
    dropped += len - Math.max(n, 0);
  }

  /** Bytes written to the file (without the closing note). */
  synchronized long written() {
    return written;
  }

  /** Bytes dropped past the cap. */
  synchronized long dropped() {
    return dropped;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (out == null) {
      return;
    }
    try {
      if (dropped > 0) {
        out.write(("\n[quern: " + dropped + " more bytes were dropped: this file is capped at "
            + cap + " bytes (" + AttemptLogs.MAX_BYTES_KEY + ")]\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      out.close();
    } catch (IOException e) {
      // nothing more to do for a log file
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
