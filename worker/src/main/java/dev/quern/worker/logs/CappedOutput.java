package dev.quern.worker.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One attempt's log file, written up to a cap of bytes: past the cap the rest is dropped (the
 * head is kept, where a task says what it does; its failure's stack trace travels with the
 * attempt's error anyway), and on close one last line says how many bytes were dropped. So a
 * chatty task cannot fill the worker's disk. Never throws: a task's print must not fail because
 * its log could not be written (a failed write drops the rest of the file). Thread-safe.
 *
 * <p>The file (and its attempt's directory) is made at the first byte written, not before: most
 * attempts print nothing, and with many small tasks the empty files were most of a task's inodes
 * (an attempt's missing file reads as empty, {@link AttemptLogs#read}).
 */
final class CappedOutput extends OutputStream {
  private final Path file;
  private final long cap;
  /** Null until the first byte (or after a failure). */
  private OutputStream out;
  private boolean failed;
  private long written;
  private long dropped;
  private boolean closed;

  CappedOutput(Path file, long cap) {
    this.file = file;
    this.cap = cap;
  }

  /** Makes the file, and its directory when there is none yet. */
  private OutputStream create() throws IOException {
    try {
      return Files.newOutputStream(file, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      Files.createDirectories(file.getParent());
      return Files.newOutputStream(file, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (closed || failed) {
      dropped += closed ? 0 : len;
      return;
    }
    int n = (int) Math.min(len, cap - written);
    if (n > 0) {
      try {
        if (out == null) {
          out = create();
        }
        out.write(b, off, n);
        written += n;
      } catch (IOException e) {
        failed = true; // the disk failed us: drop the rest rather than fail the task's print
        closeQuietly();
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
    if (failed || (out == null && dropped == 0)) {
      return; // nothing was written: no file
    }
    try {
      if (dropped > 0) {
        if (out == null) {
          out = create(); // a cap of 0 bytes: the note alone
        }
        out.write(("\n[quern: " + dropped + " more bytes were dropped: this file is capped at "
            + cap + " bytes (" + AttemptLogs.MAX_BYTES_KEY + ")]\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      out.close();
    } catch (IOException e) {
      // nothing more to do for a log file
    }
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // already failed
      }
      out = null;
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
