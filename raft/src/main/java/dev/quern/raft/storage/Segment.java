package dev.quern.raft.storage;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One WAL segment file, {@code wal-<sequence>.log}, and the highest log index any record in it
 * mentions, which is what decides whether a snapshot covers it entirely.
 */
final class Segment {

  private static final Pattern NAME = Pattern.compile("wal-(\\d{16})\\.log");

  final long seq;
  final Path path;
  long maxIndex;

  Segment(Path dir, long seq) {
    this.seq = seq;
    this.path = dir.resolve(String.format("wal-%016d.log", seq));
  }

  /** The sequence number in a segment file name, or -1 if the name is not a segment's. */
  static long parseSeq(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  void mention(long index) {
    maxIndex = Math.max(maxIndex, index);
  }

  @Override
  public String toString() {
    return path.getFileName() + "(maxIndex=" + maxIndex + ")";
  }
}
