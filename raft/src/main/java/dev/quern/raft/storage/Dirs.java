package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Directory fsync: makes file creations, renames and deletions in it durable (Linux, macOS). */
final class Dirs {

  private Dirs() {}

  static void fsync(Path dir, Fsync fsync) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      try {
        fsync.force(ch, dir, true);
      } catch (IOException | RuntimeException e) {
        throw new FsyncFailedException(dir, e);
      }
    }
  }
}
