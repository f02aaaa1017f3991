package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The durable Raft log of one master: a segmented write-ahead log plus snapshot files in one
 * directory. It deals in bytes only ({@link StoredEntry}, {@link HardState}, {@link SnapshotMeta}),
 * so the Raft core's types stay its own.
 *
 * <p><b>Contract.</b> Writes go to the OS immediately; they are durable once {@link #sync()} (or
 * {@link #persist}) returns. Callers sync before acknowledging a vote or an append. After a crash
 * at any byte, {@link #open} returns everything that was synced, possibly some unsynced records
 * after it, and never anything else.
 *
 * <p><b>Layout.</b> {@code wal-<seq>.log} segments (roll at {@link Options#segmentBytes}), each record
 * framed with length, CRC32C, version and type ({@link WalRecords}); {@code snap-<index>-<term>.snap}
 * snapshots; a {@code LOCK} file held while open.
 *
 * <p><b>Why hard state lives in the WAL.</b> A hard-state change usually comes with new entries
 * (a leader's commit index moves as it appends), and as a record in the same file both become
 * durable with one fsync; a separate file written by temp-and-rename would cost two more fsyncs
 * (file and directory) each time. So that deleting old segments cannot lose it, every new segment
 * starts with a copy of the current hard state, and the newest segment is never deleted.
 *
 * <p><b>Snapshots.</b> {@link #saveSnapshot} makes the snapshot file durable first and only then
 * deletes the segments whose records all lie at or before the snapshot index, then the older
 * snapshot file. If the log holds the snapshot's last entry with the same term, the entries after it
 * are kept; otherwise (a leader sent a snapshot from a history we do not share) the whole log is
 * replaced by the snapshot, as Raft's InstallSnapshot requires, and a LOG_BASE record in a new
 * segment tells recovery that nothing before it counts.
 *
 * <p>Not thread-safe: one owner (the Raft actor) calls it.
 *
 * <pre>{@code
 * try (RaftLogStore store = RaftLogStore.open(dir, RaftLogStore.Options.defaults())) {
 *     Recovered r = store.recovered();          // hand to the Raft core
 *     store.persist(List.of(new StoredEntry(store.lastIndex() + 1, 3, bytes)), new HardState(3, "m1", 0));
 *     // now safe to acknowledge
 * }
 * }</pre>
 */
public final class RaftLogStore implements AutoCloseable {

  /**
   * Store settings.
   *
   * @param segmentBytes size at which the WAL rolls to a new segment file
   *     ({@code quern.master.raft.wal.segment-bytes}, default 64 MiB); a batch may overshoot it
   */
  public record Options(long segmentBytes) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public Options {
      if (segmentBytes < 1) {
        throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_SEGMENT_BYTES);
    }
  }

  private final Path dir;
  private final Options options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<Segment> segments;
  private final MemLog log;
  private final Recovered recovered;
  private HardState hardState;
  private SnapshotMeta snapshotMeta;
  private FileChannel active;
  private long activeSize;
  private boolean dirty;
  private IOException failure;
  private boolean closed;

  private RaftLogStore(Path dir, Options options, FileChannel lockChannel, FileLock lock, List<Segment> segments,
             WalReplay.Result replayed, Snapshot snapshot) throws IOException {
    this.dir = dir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.segments = segments;
    this.log = replayed.log();
    this.hardState = replayed.hardState();
    this.snapshotMeta = snapshot == null ? null : snapshot.meta();

    try {
      boolean staleLog = reconcileWithSnapshot(snapshot);
      if (segments.isEmpty()) {
        createSegment(1);
      } else {
        Segment last = segments.get(segments.size() - 1);
        active = FileChannel.open(last.path, StandardOpenOption.WRITE);
        activeSize = active.size();
      }
      if (staleLog) {
        // Crash between a snapshot's rename and its LOG_BASE record: finish replacing the log now,
        // or entries appended after recovery would be replayed on top of the stale ones.
        resetOnDisk(snapshotMeta);
      }
    } catch (IOException | RuntimeException e) {
      if (active != null) {
        active.close();
      }
      throw e;
    }
    this.recovered = new Recovered(hardState, Optional.ofNullable(snapshot),
        log.slice(log.firstIndex(), log.lastIndex() + 1), replayed.droppedTailBytes());
  }

  /**
   * Opens (creating if needed) the store in {@code dir} and recovers it; see {@link #recovered()}.
   *
   * @throws CorruptLogException if data is damaged where a crash cannot explain it
   * @throws IllegalStateException if another store holds the directory
   */
  public static RaftLogStore open(Path dir, Options options) throws IOException {
    Objects.requireNonNull(options, "options");
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("Raft log directory " + dir + " is already open");
    }
    try {
      deleteTempFiles(dir);
      Snapshot snapshot = loadNewestSnapshot(dir);
      List<Segment> segments = listSegments(dir);
      WalReplay.Result replayed = WalReplay.replay(segments);
      return new RaftLogStore(dir, options, lockChannel, lock, segments, replayed, snapshot);
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /** Opens with {@link Options#defaults()}. */
  public static RaftLogStore open(Path dir) throws IOException {
    return open(dir, Options.defaults());
  }

  /** What survived on disk when this store was opened. */
  public Recovered recovered() {
    return recovered;
  }

  public HardState hardState() {
    return hardState;
  }

  /** The latest durable snapshot's index and term, if any. */
  public Optional<SnapshotMeta> snapshotMeta() {
    return Optional.ofNullable(snapshotMeta);
  }

  /** Reads the latest snapshot (meta and data) from disk, e.g. to send it to a lagging follower. */
  public Optional<Snapshot> readSnapshot() throws IOException {
    checkUsable();
    return snapshotMeta == null ? Optional.empty()
        : Optional.of(SnapshotFiles.read(dir.resolve(SnapshotFiles.fileName(snapshotMeta))));
  }

  /** First index still in the log (snapshot index + 1, or 1). */
  public long firstIndex() {
    return log.firstIndex();
  }

  /** Last index in the log; equals the snapshot index (or 0) when the log is empty. */
  public long lastIndex() {
    return log.lastIndex();
  }

  /**
   * Term of the entry at {@code index}, for {@code firstIndex()-1 <= index <= lastIndex()} (the
   * snapshot point included, as Raft's consistency check needs).
   *
   * @throws IndexOutOfBoundsException outside that range
   */
  public long term(long index) {
    return log.term(index);
  }

  /** Entries with {@code from <= index < toExclusive}; the range must lie within the log. */
  public List<StoredEntry> entries(long from, long toExclusive) {
    return log.slice(from, toExclusive);
  }

  /** Writes a new hard state (not yet durable: call {@link #sync()}). */
  public void saveHardState(HardState state) throws IOException {
    Objects.requireNonNull(state, "state");
    checkUsable();
    maybeRoll();
    ByteBuffer buf = ByteBuffer.allocate(WalRecords.hardStateSize(state));
    WalRecords.putHardState(buf, state);
    write(buf);
    hardState = state;
  }

  /**
   * Appends contiguous entries (not yet durable: call {@link #sync()}). If the first index is at
   * or below {@link #lastIndex()}, the log is first truncated from that index (Raft's conflict
   * rule).
   *
   * @throws IllegalArgumentException if the entries are not contiguous, would leave a gap, would
   *     overwrite the snapshot, or have a term lower than the entry before them
   */
  public void append(List<StoredEntry> entries) throws IOException {
    write(entries, null);
  }

  /** Forces everything written so far to disk; on return it survives a crash. */
  public void sync() throws IOException {
    checkUsable();
    if (dirty) {
      try {
        active.force(false);
      } catch (IOException e) {
        // After a failed fsync the page cache may have dropped our data (the "fsyncgate" lesson):
        // retrying could report success for lost writes, so the store must be reopened.
        failure = e;
        throw e;
      }
      dirty = false;
    }
  }

  /**
   * Appends entries, writes the hard state (either may be empty/null) and syncs, with one fsync:
   * what a node does before answering a vote or an append.
   */
  public void persist(List<StoredEntry> entries, HardState state) throws IOException {
    write(entries, state);
    sync();
  }

  /**
   * Durably stores a snapshot covering the log up to {@code meta.index()}, then compacts: deletes
   * WAL segments the snapshot covers entirely and the previous snapshot file. Entries after the
   * snapshot stay readable if the log agrees with it at {@code meta}; otherwise the log is replaced
   * by the snapshot (it becomes empty, continuing at {@code meta.index() + 1}). Also syncs the WAL.
   *
   * @throws IllegalArgumentException if {@code meta.index()} is not beyond the current snapshot
   */
  public void saveSnapshot(SnapshotMeta meta, byte[] data) throws IOException {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(data, "data");
    checkUsable();
    if (meta.index() <= log.baseIndex()) {
      throw new IllegalArgumentException("snapshot at " + meta.index() + " is not beyond the current snapshot/base " + log.baseIndex());
    }
    sync();
    List<SnapshotFiles.SnapshotFile> older = SnapshotFiles.list(dir);
    SnapshotFiles.write(dir, meta, data);
    snapshotMeta = meta;
    if (log.compactTo(meta.index(), meta.term())) {
      deleteCoveredSegments(meta.index());
    } else {
      log.reset(meta.index(), meta.term());
      resetOnDisk(meta);
    }
    for (SnapshotFiles.SnapshotFile f : older) {
      if (!f.path().getFileName().toString().equals(SnapshotFiles.fileName(meta))) {
        Files.deleteIfExists(f.path());
      }
    }
    Dirs.fsync(dir);
  }

  /** Syncs and releases the directory. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (failure == null && dirty) {
        active.force(false);
      }
    } finally {
      active.close();
      lock.release();
      lockChannel.close();
    }
  }

  // ---- writing ----

  private void write(List<StoredEntry> entries, HardState state) throws IOException {
    Objects.requireNonNull(entries, "entries");
    checkUsable();
    String problem = log.checkAppend(entries);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (entries.isEmpty() && state == null) {
      return;
    }
    maybeRoll();
    int size = state == null ? 0 : WalRecords.hardStateSize(state);
    for (StoredEntry e : entries) {
      size += WalRecords.entrySize(e);
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    for (StoredEntry e : entries) {
      WalRecords.putEntry(buf, e);
    }
    if (state != null) {
      WalRecords.putHardState(buf, state);
    }
    write(buf);
    if (!entries.isEmpty()) {
      log.append(entries);
      currentSegment().mention(entries.get(entries.size() - 1).index());
    }
    if (state != null) {
      hardState = state;
    }
  }

  private void write(ByteBuffer buf) throws IOException {
    buf.flip();
    long start = activeSize;
    try {
      while (buf.hasRemaining()) {
        active.write(buf, activeSize + buf.position());
      }
    } catch (IOException e) {
      // Cut the partial record off so later records do not follow garbage (e.g. disk full).
      try {
        active.truncate(start);
      } catch (IOException e2) {
        e.addSuppressed(e2);
        failure = e;
      }
      throw e;
    }
    activeSize = start + buf.limit();
    dirty = true;
  }

  private void maybeRoll() throws IOException {
    if (activeSize >= options.segmentBytes()) {
      roll();
    }
  }

  /** Seals the active segment (fsync) and starts the next one with a copy of the hard state. */
  private void roll() throws IOException {
    active.force(false);
    active.close();
    createSegment(currentSegment().seq + 1);
  }

  private void createSegment(long seq) throws IOException {
    Segment seg = new Segment(dir, seq);
    active = FileChannel.open(seg.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    activeSize = 0;
    segments.add(seg);
    Dirs.fsync(dir);
    ByteBuffer buf = ByteBuffer.allocate(WalRecords.hardStateSize(hardState));
    WalRecords.putHardState(buf, hardState);
    write(buf);
  }

  private Segment currentSegment() {
    return segments.get(segments.size() - 1);
  }

  /** Deletes the oldest sealed segments while every record in them is covered by the snapshot. */
  private void deleteCoveredSegments(long snapshotIndex) throws IOException {
    while (segments.size() > 1 && segments.get(0).maxIndex <= snapshotIndex) {
      Files.deleteIfExists(segments.remove(0).path);
    }
  }

  /** Starts a segment whose LOG_BASE record voids all earlier ones, makes it durable, deletes them. */
  private void resetOnDisk(SnapshotMeta meta) throws IOException {
    roll();
    ByteBuffer buf = ByteBuffer.allocate(WalRecords.logBaseSize());
    WalRecords.putLogBase(buf, meta.index(), meta.term());
    write(buf);
    currentSegment().mention(meta.index());
    sync();
    while (segments.size() > 1) {
      Files.deleteIfExists(segments.remove(0).path);
    }
    Dirs.fsync(dir);
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    if (failure != null) {
      throw new IOException("an earlier write or sync failed; reopen the store to recover", failure);
    }
  }

  // ---- recovery ----

  /**
   * Makes the replayed log start at the snapshot. Returns true if the log on disk holds entries
   * that disagree with the snapshot and must be voided.
   */
  private boolean reconcileWithSnapshot(Snapshot snapshot) throws IOException {
    if (snapshot == null) {
      if (!log.compactTo(0, 0)) {
        throw new CorruptLogException(segments.get(0).path, 0,
            "log starts at index " + log.firstIndex() + " but no snapshot covers the entries before it");
      }
      return false;
    }
    SnapshotMeta meta = snapshot.meta();
    if (log.compactTo(meta.index(), meta.term())) {
      return false;
    }
    if (log.baseIndex() > meta.index()) {
      throw new CorruptLogException(segments.get(0).path, 0, "log starts at index " + log.firstIndex()
          + " but the newest snapshot only covers up to " + meta.index());
    }
    boolean stale = !log.isEmpty();
    log.reset(meta.index(), meta.term());
    return stale;
  }

  private static void deleteTempFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".tmp")) {
          Files.delete(p);
        }
      }
    }
  }

  /** The newest snapshot; older ones are leftovers of a crash during compaction and are removed. */
  private static Snapshot loadNewestSnapshot(Path dir) throws IOException {
    List<SnapshotFiles.SnapshotFile> files = SnapshotFiles.list(dir);
    if (files.isEmpty()) {
      return null;
    }
    Snapshot newest = SnapshotFiles.read(files.get(files.size() - 1).path());
    for (int i = 0; i < files.size() - 1; i++) {
      Files.delete(files.get(i).path());
    }
    return newest;
  }

  private static List<Segment> listSegments(Path dir) throws IOException {
    List<Segment> segments = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        long seq = Segment.parseSeq(p.getFileName().toString());
        if (seq >= 0) {
          segments.add(new Segment(dir, seq));
        }
      }
    }
    segments.sort((a, b) -> Long.compare(a.seq, b.seq));
    return segments;
  }
}
