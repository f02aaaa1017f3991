package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshot files: {@code snap-<index>-<term>.snap}, written whole to a temp file, fsynced, renamed
 * into place and the directory fsynced, so a snapshot file either exists complete or not at all.
 *
 * <pre>
 *   int32 magic "QSNP"  byte version  int64 index  int64 term  int32 length  data  int32 CRC32C(all before)
 * </pre>
 */
final class SnapshotFiles {

  private static final int MAGIC = 0x51534E50;
  private static final byte VERSION = 1;
  private static final int HEADER_BYTES = 4 + 1 + 8 + 8 + 4;
  private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})\\.snap");

  private SnapshotFiles() {}

  record SnapshotFile(Path path, long index) {}

  static String fileName(SnapshotMeta meta) {
    return String.format("snap-%020d-%020d.snap", meta.index(), meta.term());
  }

  /** Snapshot files in the directory, oldest (lowest index) first. */
  static List<SnapshotFile> list(Path dir) throws IOException {
    List<SnapshotFile> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          files.add(new SnapshotFile(p, Long.parseLong(m.group(1))));
        }
      }
    }
    files.sort(Comparator.comparingLong(SnapshotFile::index));
    return files;
  }

  /** Writes a snapshot durably; returns its final path. */
  static Path write(Path dir, SnapshotMeta meta, byte[] data) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + data.length + 4);
    buf.putInt(MAGIC).put(VERSION).putLong(meta.index()).putLong(meta.term()).putInt(data.length).put(data);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue()).flip();

    Path target = dir.resolve(fileName(meta));
    Path tmp = dir.resolve(fileName(meta) + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Dirs.fsync(dir);
    return target;
  }

  /** Reads and verifies a snapshot file; any damage is an error because it was durable. */
  static Snapshot read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < HEADER_BYTES + 4) {
      throw new CorruptLogException(file, 0, "snapshot file too short (" + bytes.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getInt() != MAGIC) {
      throw new CorruptLogException(file, 0, "not a snapshot file (bad magic)");
    }
    byte version = in.get();
    if (version != VERSION) {
      throw new CorruptLogException(file, 4, "unsupported snapshot format version " + version);
    }
    long index = in.getLong();
    long term = in.getLong();
    int length = in.getInt();
    if (length != bytes.length - HEADER_BYTES - 4) {
      throw new CorruptLogException(file, HEADER_BYTES - 4, "data length " + length + " does not match file size " + bytes.length);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new CorruptLogException(file, bytes.length - 4, "snapshot CRC mismatch");
    }
    byte[] data = new byte[length];
    in.get(data);
    return new Snapshot(new SnapshotMeta(index, term), data);
  }
}
