package dev.quern.raft.storage;

import dev.quern.raft.Membership;
import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshot files: {@code snap-<index>-<term>.snap}, written whole to a temp file, fsynced, renamed
 * into place and the directory fsynced, so a snapshot file either exists complete or not at all.
 *
 * <pre>
 *   int32 magic "QSNP"  byte version (3)  int64 index  int64 term
 *   int32 voters  int64 id...  int32 learners  int64 id...
 *   int32 addresses  (int64 id  int32 length  UTF-8 bytes)...
 *   int32 length  data  int32 CRC32C(all before)
 * </pre>
 *
 * Version 3 added the members' addresses; version 2 (the same without them) is still read.
 */
final class SnapshotFiles {

  private static final int MAGIC = 0x51534E50;
  static final byte VERSION = 3;
  private static final byte VERSION_WITHOUT_ADDRESSES = 2;
  static final int VERSION_OFFSET = 4;
  private static final int FIXED_BYTES = 4 + 1 + 8 + 8 + 4 + 4 + 4 + 4;
  private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})\\.snap");

  private SnapshotFiles() {}

  record SnapshotFile(Path path, long index) {}

  static String fileName(long index, long term) {
    return String.format("snap-%020d-%020d.snap", index, term);
  }

  static String fileName(Snapshot s) {
    return fileName(s.index(), s.term());
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

  /** The file's bytes for {@code s}: what {@link #write} stores and what a leader streams to a follower. */
  static ByteBuffer encode(Snapshot s) {
    List<Long> voters = s.membership().voters();
    List<Long> learners = s.membership().learners();
    Map<Long, byte[]> addresses = new TreeMap<>();
    int addressBytes = 4;
    for (Map.Entry<Long, String> a : s.membership().addresses().entrySet()) {
      byte[] bytes = a.getValue().getBytes(StandardCharsets.UTF_8);
      addresses.put(a.getKey(), bytes);
      addressBytes += 12 + bytes.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + 8 * (voters.size() + learners.size()) + addressBytes
        + s.data().length);
    buf.putInt(MAGIC).put(VERSION).putLong(s.index()).putLong(s.term()).putInt(voters.size());
    voters.forEach(buf::putLong);
    buf.putInt(learners.size());
    learners.forEach(buf::putLong);
    buf.putInt(addresses.size());
    addresses.forEach((id, bytes) -> buf.putLong(id).putInt(bytes.length).put(bytes));
    buf.putInt(s.data().length).put(s.data());
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue()).flip();
    return buf;
  }

  /**
   * Writes a snapshot durably; returns its final path.
   *
   * @throws FsyncFailedException if a force failed (the caller must not go on)
   */
  static Path write(Path dir, Snapshot s, Fsync fsync) throws IOException {
    return install(dir, writeTemp(dir, s, fsync), s, fsync);
  }

  /**
   * Writes {@code s} to a temp file ({@code .tmp}, deleted by the next open if never installed) and
   * forces it. Touches no other file, so it may run on any thread while the store is in use.
   */
  static Path writeTemp(Path dir, Snapshot s, Fsync fsync) throws IOException {
    ByteBuffer buf = encode(s);
    Path tmp = dir.resolve(fileName(s) + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      try {
        fsync.force(ch, tmp, true);
      } catch (IOException | RuntimeException e) {
        throw new FsyncFailedException(tmp, e);
      }
    }
    return tmp;
  }

  /** Renames a forced temp file of {@code s} into place and forces the directory; returns the final path. */
  static Path install(Path dir, Path tmp, Snapshot s, Fsync fsync) throws IOException {
    Path target = dir.resolve(fileName(s));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Dirs.fsync(dir, fsync);
    return target;
  }

  /** Reads and verifies a snapshot file; any damage is an error because it was durable. */
  static Snapshot read(Path file) throws IOException {
    return decode(Files.readAllBytes(file), file);
  }

  /** Decodes and verifies the bytes of a snapshot file; {@code file} names them in errors. */
  static Snapshot decode(byte[] bytes, Path file) throws CorruptLogException {
    if (bytes.length < FIXED_BYTES) {
      throw new CorruptLogException(file, 0, "snapshot file too short (" + bytes.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getInt() != MAGIC) {
      throw new CorruptLogException(file, 0, "not a snapshot file (bad magic)");
    }
    byte version = in.get();
    if (version != VERSION && version != VERSION_WITHOUT_ADDRESSES) {
      throw new CorruptLogException(file, VERSION_OFFSET, "unsupported snapshot format version " + version);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new CorruptLogException(file, bytes.length - 4, "snapshot CRC mismatch");
    }
    try {
      long index = in.getLong();
      long term = in.getLong();
      List<Long> voters = readIds(in);
      List<Long> learners = readIds(in);
      Map<Long, String> addresses = version == VERSION ? readAddresses(in) : Map.of();
      int lengthAt = in.position();
      int length = in.getInt();
      if (length != in.remaining() - 4) {
        throw new CorruptLogException(file, lengthAt, "data length " + length + " does not match the "
            + (in.remaining() - 4) + " bytes left");
      }
      byte[] data = new byte[length];
      in.get(data);
      return new Snapshot(index, term, new Membership(voters, learners, addresses), data);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new CorruptLogException(file, in.position(), "malformed snapshot: " + e);
    }
  }

  private static Map<Long, String> readAddresses(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() / 12) {
      throw new IllegalArgumentException("address count " + n);
    }
    Map<Long, String> addresses = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      long id = in.getLong();
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException("address length " + length);
      }
      byte[] bytes = new byte[length];
      in.get(bytes);
      if (addresses.put(id, new String(bytes, StandardCharsets.UTF_8)) != null) {
        throw new IllegalArgumentException("two addresses for node " + id);
      }
    }
    return addresses;
  }

  private static List<Long> readIds(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() / 8) {
      throw new IllegalArgumentException("member count " + n);
    }
    List<Long> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(in.getLong());
    }
    return ids;
  }
}
