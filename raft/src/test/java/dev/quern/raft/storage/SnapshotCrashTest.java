package dev.quern.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at every point of taking or receiving a snapshot leaves a usable store holding the old
 * snapshot or the new one, never part of a file. The crash comes at each force in turn (the k-th
 * fsync of the operation): the directory is copied as it is at that moment (everything written so
 * far, as after a killed process), and once more with every temp file cut in half (a write torn by
 * a power cut); each copy must open with a whole snapshot, old or new, a log consistent with it, the
 * hard state unchanged and no temp file left.
 */
class SnapshotCrashTest {

  private static final Membership MEMBERS = new Membership(List.of(1L, 2L, 3L), List.of());
  private static final HardState HARD_STATE = new HardState(1, 1, 40);
  private static final Snapshot OLD = new Snapshot(10, 1, MEMBERS, bytes(5_000, 1));

  @TempDir
  Path tmp;

  private static byte[] bytes(int n, int salt) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + salt);
    }
    return b;
  }

  private static List<Entry> entries() {
    List<Entry> entries = new ArrayList<>();
    for (long i = 1; i <= 40; i++) {
      entries.add(new Entry(1, i, EntryType.NORMAL, bytes(100, (int) i)));
    }
    return entries;
  }

  /** Copies the directory at the k-th force, then fails that force (the process dies there). */
  private static final class CrashAt implements Fsync {
    final int crashAt;
    final Path dir;
    final Path image;
    int forces;

    CrashAt(int crashAt, Path dir, Path image) {
      this.crashAt = crashAt;
      this.dir = dir;
      this.image = image;
    }

    @Override
    public void force(FileChannel channel, Path file, boolean metadata) throws IOException {
      if (++forces == crashAt) {
        copy(dir, image);
        throw new IOException("crash before force " + crashAt + " of " + file.getFileName());
      }
      channel.force(metadata);
    }

    boolean crashed() {
      return forces >= crashAt;
    }
  }

  private interface Operation {
    Snapshot run(RaftLogStore store) throws IOException;
  }

  @Test
  void crashWhileTakingASnapshotWrittenAhead() throws IOException {
    Snapshot next = new Snapshot(30, 1, MEMBERS, bytes(9_000, 2));
    int points = crashEverywhere("local", store -> {
      Path written = store.writeSnapshotTemp(next); // on the snapshot thread in the node
      store.saveSnapshot(next, written);
      return next;
    }, next);
    assertThat(points).as("crash points").isGreaterThanOrEqualTo(3);
  }

  @Test
  void crashWhileInstallingASnapshotReceivedInChunks() throws IOException {
    Snapshot next = new Snapshot(60, 2, MEMBERS, bytes(9_000, 3)); // the log does not hold 60: replaced
    int points = crashEverywhere("received", store -> {
      byte[] file = RaftLogStore.encodeSnapshot(next);
      IncomingSnapshot in = store.receiveSnapshot(next.index(), next.term());
      for (int off = 0; off < file.length; off += 4096) {
        in.write(java.util.Arrays.copyOfRange(file, off, Math.min(file.length, off + 4096)));
      }
      Snapshot verified = in.finish();
      store.saveSnapshot(verified, in.path());
      return verified;
    }, next);
    assertThat(points).as("crash points").isGreaterThanOrEqualTo(4);
  }

  @Test
  void aDamagedReceivedFileIsRefusedAndNeverInstalled() throws IOException {
    Path dir = tmp.resolve("damaged");
    prepare(dir);
    Snapshot next = new Snapshot(60, 2, MEMBERS, bytes(9_000, 4));
    byte[] file = RaftLogStore.encodeSnapshot(next);
    file[5_000] ^= 1;
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      IncomingSnapshot in = store.receiveSnapshot(60, 2);
      in.write(file);
      org.assertj.core.api.Assertions.assertThatThrownBy(in::finish).isInstanceOf(CorruptLogException.class)
          .hasMessageContaining("CRC mismatch");
      in.discard();
    }
    checkRecovers(dir, next);
  }

  /** Runs {@code op} crashing at force 1, 2, ... until it completes; returns how many points crashed. */
  private int crashEverywhere(String name, Operation op, Snapshot next) throws IOException {
    for (int k = 1; ; k++) {
      Path dir = tmp.resolve(name + "-" + k);
      Path image = tmp.resolve(name + "-" + k + "-image");
      prepare(dir);
      CrashAt crash = new CrashAt(k, dir, image);
      RaftLogStore store = RaftLogStore.open(dir, new RaftLogStore.Options(4096, crash));
      boolean crashed;
      try {
        op.run(store);
        crashed = false;
      } catch (IOException e) {
        crashed = true;
      } finally {
        try {
          store.close();
        } catch (IOException | RuntimeException e) {
          // closing after the crash may fail again
        }
      }
      if (!crashed) {
        assertThat(crash.crashed()).isFalse();
        assertThat(checkRecovers(dir, next)).isEqualTo(next.index()); // no crash: the new one
        return k - 1;
      }
      checkRecovers(image, next);
      Path torn = tmp.resolve(name + "-" + k + "-torn");
      copy(image, torn);
      try (Stream<Path> files = Files.list(torn)) {
        for (Path p : files.filter(p -> p.toString().endsWith(".tmp")).toList()) {
          try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
          }
        }
      }
      checkRecovers(torn, next);
    }
  }

  /** A store with 40 entries and the old snapshot at 10. */
  private static void prepare(Path dir) throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir, new RaftLogStore.Options(4096))) {
      store.persist(entries(), HARD_STATE);
      store.saveSnapshot(OLD);
    }
  }

  /** Opens {@code dir}: the old snapshot or {@code next}, whole, and a log that agrees; returns which index. */
  private static long checkRecovers(Path dir, Snapshot next) throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir, new RaftLogStore.Options(4096))) {
      Snapshot s = store.snapshot().orElseThrow();
      assertThat(s).as("snapshot in " + dir.getFileName()).isIn(OLD, next);
      assertThat(store.hardState()).isEqualTo(HARD_STATE);
      if (next.index() > 40 && s.equals(next)) {
        assertThat(store.lastIndex()).isEqualTo(next.index()); // the log was replaced by it
      } else {
        assertThat(store.lastIndex()).isEqualTo(40);
        assertThat(store.firstIndex()).isEqualTo(s.index() + 1);
        assertThat(store.entries(store.firstIndex(), 41)).isEqualTo(entries().subList((int) s.index(), 40));
      }
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
      }
      return s.index();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
