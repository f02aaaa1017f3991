package dev.quern.raft;

import dev.quern.raft.node.RaftPersistence;
import dev.quern.raft.node.WalRaftPersistence;
import dev.quern.raft.storage.Fsync;
import dev.quern.raft.storage.RaftLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The simulation's nodes on the real durable WAL ({@link WalRaftPersistence} over {@link
 * RaftLogStore}), one directory per node, with a crash that loses what a power cut loses. An
 * in-JVM crash alone keeps every byte the process wrote (the OS still has it), so a write that was
 * never forced would survive and a wrong sync decision would go unseen.
 *
 * <p>Every force the store does goes through its {@link Fsync} seam; this wraps {@link Fsync#FORCE}
 * and records, per file (by inode, so that a rename keeps what was forced), its length at its last
 * force, and at each directory force which names the directory durably holds. At a restart the
 * previous store is closed (its forces no longer count: they happen after the crash) and then, by
 * {@link Crash} mode, every file is cut back to its forced length (or to a seeded random point in its
 * unsynced tail), and every file whose name no directory force made durable is deleted. Then the
 * store is opened as a restarted node opens it.
 *
 * <p>Not modelled: a file deleted after the last directory force comes back in a real power cut; here
 * it stays deleted (bringing it back would need its forced contents).
 */
final class WalSimDisk implements SimCluster.StorageFactory, AutoCloseable {

  /** What a crash keeps of the bytes the store wrote but did not force. */
  enum Crash {
    /** Everything the process wrote (a process crash: the OS survives). The old in-JVM mode. */
    KEEP_WRITTEN,
    /** Nothing: every file back to its last force; files whose creation was not made durable go. */
    DROP_UNSYNCED,
    /** As DROP_UNSYNCED, but each file keeps a seeded random prefix of its unsynced tail (a torn write). */
    TEAR_UNSYNCED
  }

  /** Small segments, so that the simulation rolls segments and compacts them often. */
  private static final long SEGMENT_BYTES = 16 << 10;

  private final Path root;
  private final Crash mode;
  private final SplittableRandom random;
  private final Map<Long, NodeDisk> disks = new HashMap<>();

  /**
   * Over all crashes: how many, how many bytes the process had written (before the crash) that the
   * crash took away, and how many files it deleted.
   */
  long crashes;
  long bytesCut;
  long filesDropped;

  WalSimDisk(Path root, Crash mode, long seed) {
    this.root = root;
    this.mode = mode;
    this.random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
  }

  @Override
  public RaftPersistence open(long nodeId, int incarnation) {
    NodeDisk disk = disks.computeIfAbsent(nodeId, id -> new NodeDisk(root.resolve("node-" + id)));
    if (disk.store != null) {
      disk.crash();
    }
    disk.store = WalRaftPersistence.open(disk.dir, new RaftLogStore.Options(SEGMENT_BYTES, disk));
    return disk.store;
  }

  /** Releases every store and deletes the directories. */
  @Override
  public void close() throws IOException {
    for (NodeDisk disk : disks.values()) {
      disk.release();
    }
    if (Files.exists(root)) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  /** One node's directory, and what of it is durable. */
  private final class NodeDisk implements Fsync {

    final Path dir;
    WalRaftPersistence store;
    /** By inode: the file's length at its last force. */
    private final Map<Object, Long> forcedLength = new HashMap<>();
    /** Names the last directory force made durable, with the inode each named then. */
    private Map<String, Object> durableNames = Map.of();
    /** While the crashed store is closed: its forces come after the crash and do not count. */
    private boolean crashed;

    NodeDisk(Path dir) {
      this.dir = dir;
    }

    @Override
    public void force(FileChannel channel, Path file, boolean metadata) throws IOException {
      Fsync.FORCE.force(channel, file, metadata);
      if (crashed) {
        return;
      }
      if (Files.isDirectory(file)) {
        Map<String, Object> names = new HashMap<>();
        for (Path p : list()) {
          names.put(p.getFileName().toString(), inode(p));
        }
        durableNames = names;
        // Files deleted durably are gone; forget them so that a reused inode starts from nothing.
        forcedLength.keySet().retainAll(names.values());
      } else {
        forcedLength.put(inode(file), channel.size());
      }
    }

    /** Power cut: closes the store without its writes counting, then cuts what was not forced. */
    void crash() {
      crashes++;
      Map<Path, Long> written = new HashMap<>();
      for (Path p : list()) {
        written.put(p, size(p));
      }
      release(); // the lock must go before the files are cut and the store reopened
      for (Path p : list()) {
        Long before = written.get(p);
        String name = p.getFileName().toString();
        Object inode = inode(p);
        boolean durableName = inode.equals(durableNames.get(name));
        if (before == null || (mode != Crash.KEEP_WRITTEN && !durableName)) {
          delete(p);
          filesDropped++;
          continue;
        }
        long keep = before;
        if (mode != Crash.KEEP_WRITTEN) {
          long forced = Math.min(forcedLength.getOrDefault(inode, 0L), before);
          keep = mode == Crash.DROP_UNSYNCED || before == forced ? forced : forced + random.nextLong(before - forced + 1);
        }
        if (keep < size(p)) {
          truncate(p, keep);
        }
        bytesCut += before - keep;
      }
    }

    /** Closes the store, if open, with forces not counted (what close writes is cut by the caller). */
    void release() {
      if (store == null) {
        return;
      }
      crashed = true;
      try {
        store.close();
      } catch (RuntimeException e) {
        // A store that cannot close still releases its lock (RaftLogStore.close's finally).
      } finally {
        crashed = false;
        store = null;
      }
    }

    private List<Path> list() {
      try (Stream<Path> s = Files.list(dir)) {
        return s.filter(Files::isRegularFile).toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static Object inode(Path p) {
    try {
      Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
      if (key == null) {
        throw new IllegalStateException("WalSimDisk needs a file system with file keys (inodes): " + p);
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void truncate(Path p, long length) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.truncate(length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
