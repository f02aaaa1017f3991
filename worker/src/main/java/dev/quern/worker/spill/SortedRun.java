package dev.quern.worker.spill;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** One sorted run of records, in memory or in a scratch file, in the map output format. */
public sealed interface SortedRun {

  /** A fresh cursor over the run's records. */
  RecordStream open() throws IOException;

  /** Bytes as stored (compressed or not). */
  long storedLength();

  /** Bytes of records before compression. */
  long rawLength();

  /** Frees the run's memory or deletes its file. */
  void discard() throws IOException;

  record InMemory(byte[] bytes, boolean compressed, long rawLength, String what)
      implements SortedRun {
    @Override
    public RecordStream open() {
      return new RunReader(new ByteArrayInputStream(bytes), compressed, rawLength, what);
    }

    @Override
    public long storedLength() {
      return bytes.length;
    }

    @Override
    public void discard() {}
  }

  record InFile(Path file, long offset, long storedLength, boolean compressed, long rawLength,
      String what) implements SortedRun {
    @Override
    public RecordStream open() throws IOException {
      return openRange(file, offset, storedLength, compressed, rawLength, what);
    }

    @Override
    public void discard() throws IOException {
      Files.deleteIfExists(file);
    }
  }

  /** A run inside a file this attempt does not own (a map output on this host): never deleted. */
  record InPlace(Path file, long offset, long storedLength, boolean compressed, long rawLength,
      String what) implements SortedRun {
    @Override
    public RecordStream open() throws IOException {
      return openRange(file, offset, storedLength, compressed, rawLength, what);
    }

    @Override
    public void discard() {}
  }

  /** Reads the run stored at {@code [offset, offset + storedLength)} of {@code file}. */
  private static RecordStream openRange(Path file, long offset, long storedLength,
      boolean compressed, long rawLength, String what) throws IOException {
    FileChannel ch = RunFiles.open(file);
    return new RunReader(new FileRangeInputStream(ch, offset, storedLength, true), compressed,
        rawLength, what);
  }
}
