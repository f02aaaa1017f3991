package dev.quern.worker.shuffle;

import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Fetches one partition of each map output for a reduce attempt and verifies it before any record
 * reaches the reducer: exact stored length and CRC32C against the index. Small segments stay in
 * memory (up to a budget); the rest are copied to scratch files. From an {@link InPlaceSource}
 * (map outputs on this host) a segment is only read through for its checksum and then merged
 * from where it lies. Anything wrong with a map output is a {@link MapOutputLostException};
 * failures of this attempt's own scratch disk are not.
 */
public final class ShuffleFetcher {
  private static final int COPY_BUFFER = 64 * 1024;

  private final ShuffleSource source;
  private final Path scratchDir;
  private final String prefix;
  private final long memoryBudget;
  private static final int VERIFY_BUFFER = 1 << 20;
  private final byte[] copy = new byte[COPY_BUFFER];
  private ByteBuffer direct;
  private long memoryUsed;
  private int files;

  /** @param prefix starts the names of scratch files (the attempt's directory name) */
  public ShuffleFetcher(ShuffleSource source, Path scratchDir, String prefix, long memoryBudget) {
    this.source = source;
    this.scratchDir = scratchDir;
    this.prefix = prefix;
    this.memoryBudget = memoryBudget;
  }

  public SortedRun fetch(MapOutputRef ref, int partition) throws IOException {
    if (source instanceof InPlaceSource local) {
      return verifyInPlace(local, ref, partition);
    }
    ShuffleSource.Segment seg;
    try {
      seg = source.open(ref, partition);
    } catch (MapOutputLostException e) {
      throw e;
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "cannot open: " + e);
    }
    String what = "map output of " + ref.attempt() + " partition " + partition;
    long len = seg.storedLength();
    try (InputStream in = seg.in()) {
      if (len <= memoryBudget - memoryUsed && len <= Integer.MAX_VALUE - 16) {
        byte[] bytes = new byte[(int) len];
        int n = read(ref, partition, in, bytes, 0, bytes.length);
        if (n < len) {
          throw truncated(ref, partition, n, len);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        check(ref, partition, crc, seg.checksum());
        memoryUsed += len;
        return new SortedRun.InMemory(bytes, seg.compressed(), seg.rawLength(), what);
      }
      Path file = scratchDir.resolve(prefix + ".fetch" + files++);
      CRC32C crc = new CRC32C();
      long total = 0;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), COPY_BUFFER)) {
        while (total < len) {
          int n = read(ref, partition, in, copy, 0, (int) Math.min(copy.length, len - total));
          if (n <= 0) {
            break;
          }
          crc.update(copy, 0, n);
          out.write(copy, 0, n);
          total += n;
        }
      } catch (MapOutputLostException e) {
        Files.deleteIfExists(file);
        throw e;
      }
      try {
        if (total < len) {
          throw truncated(ref, partition, total, len);
        }
        check(ref, partition, crc, seg.checksum());
      } catch (MapOutputLostException e) {
        Files.deleteIfExists(file);
        throw e;
      }
      return new SortedRun.InFile(file, 0, len, seg.compressed(), seg.rawLength(), what);
    }
  }

  private SortedRun verifyInPlace(InPlaceSource local, MapOutputRef ref, int partition)
      throws IOException {
    InPlaceSource.Location at;
    try {
      at = local.locate(ref, partition);
    } catch (MapOutputLostException e) {
      throw e;
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "cannot open: " + e);
    }
    if (direct == null) {
      direct = ByteBuffer.allocateDirect(VERIFY_BUFFER);
    }
    CRC32C crc = new CRC32C();
    long total = 0;
    try (FileChannel ch = FileChannel.open(at.file(), StandardOpenOption.READ)) {
      while (total < at.storedLength()) {
        direct.clear();
        direct.limit((int) Math.min(direct.capacity(), at.storedLength() - total));
        int n = ch.read(direct, at.offset() + total);
        if (n <= 0) {
          break;
        }
        direct.flip();
        crc.update(direct);
        total += n;
      }
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "read failed: " + e);
    }
    if (total < at.storedLength()) {
      throw truncated(ref, partition, total, at.storedLength());
    }
    check(ref, partition, crc, at.checksum());
    return new SortedRun.InPlace(at.file(), at.offset(), at.storedLength(), at.compressed(),
        at.rawLength(), "map output of " + ref.attempt() + " partition " + partition);
  }

  private static int read(MapOutputRef ref, int partition, InputStream in, byte[] b, int off,
      int len) throws MapOutputLostException {
    try {
      return in.readNBytes(b, off, len);
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "read failed: " + e);
    }
  }

  private static MapOutputLostException truncated(MapOutputRef ref, int partition, long got,
      long want) {
    return new MapOutputLostException(ref, partition,
        "truncated: got " + got + " of " + want + " bytes");
  }

  private static void check(MapOutputRef ref, int partition, CRC32C crc, int expected)
      throws MapOutputLostException {
    int actual = (int) crc.getValue();
    if (actual != expected) {
      throw new MapOutputLostException(ref, partition, String.format(
          "checksum mismatch: stored bytes have CRC32C %08x, the index says %08x", actual,
          expected));
    }
  }
}
