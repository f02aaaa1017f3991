package dev.quern.worker.spill;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A data file's bytes held in memory while they total at most a limit; the file is created, and
 * what was held written to it, only when a write would pass the limit. A map of a few records
 * whose output its host keeps in memory then never creates the file: with 10,000 such maps, the
 * creations, writes, renames and deletions of their files on ext4 were about a fifth of the job's
 * CPU. With a limit of 0 the file is created at once, as a plain file stream.
 */
final class HeldUntilLimitStream extends OutputStream {
  private final Path file;
  private final int limit;
  private byte[] held;
  private int len;
  private OutputStream out;

  HeldUntilLimitStream(Path file, int limit) throws IOException {
    this.file = file;
    this.limit = limit;
    if (limit <= 0) {
      out = Files.newOutputStream(file);
    } else {
      held = new byte[Math.min(limit, 8 * 1024)];
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int n) throws IOException {
    if (out == null) {
      if ((long) len + n <= limit) {
        if (len + n > held.length) {
          held = Arrays.copyOf(held, (int) Math.min(limit, Math.max(len + n, 2L * held.length)));
        }
        System.arraycopy(b, off, held, len, n);
        len += n;
        return;
      }
      out = Files.newOutputStream(file);
      out.write(held, 0, len);
      held = null;
    }
    out.write(b, off, n);
  }

  /** Whether the file has been created (the bytes passed the limit, or the limit is 0). */
  boolean spilled() {
    return out != null;
  }

  /** The bytes held, exactly; null once the file is created. */
  byte[] held() {
    return out != null ? null : len == held.length ? held : Arrays.copyOf(held, len);
  }

  @Override
  public void flush() throws IOException {
    if (out != null) {
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
