package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.Snapshot;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The durable Raft log of one master: a segmented write-ahead log plus snapshot files in one
 * directory. It stores the Raft core's own values ({@link Entry}, {@link HardState}, {@link
 * Snapshot}); the core knows nothing of it.
 *
 * <p><b>Contract.</b> Writes go to the OS immediately; they are durable once {@link #sync()} (or
 * {@link #persist}) returns. Callers sync before acknowledging a vote or an append. After a crash
 * at any byte, {@link #open} returns everything that was synced, possibly some unsynced records
 * after it, and never anything else. Damage that a crash cannot explain (a bad record followed by a
 * valid one, say) makes {@link #open} fail with a {@link CorruptLogException} naming the file and
 * offset, rather than repair it into a log that forgot synced records.
 *
 * <p><b>Failures.</b> A failed force (of a segment, on a roll, of a snapshot file or of the
 * directory) throws {@link FsyncFailedException}, and from then on every call fails: what reached the
 * disk is unknown, so the owner must stop (the node stops its process) rather than retry. A failed
 * write is cut off the file (durably) before the exception, so the store stays usable.
 *
 * <p><b>Layout.</b> {@code wal-<seq>.log} segments (roll at {@link Options#segmentBytes}), each
 * starting with a header ({@link Segment}) and holding records framed with length, their own
 * CRC32C, a CRC chain, version and type ({@link WalRecords}); {@code snap-<index>-<term>.snap}
 * snapshots ({@link SnapshotFiles}); a {@code LOCK} file held while open.
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
 *     store.persist(List.of(new Entry(3, store.lastIndex() + 1, EntryType.NORMAL, bytes)), new HardState(3, 1, 0));
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
   * @param fsync        how files are forced to disk: {@link Fsync#FORCE}, or a fault injector in tests
   * @param compactionMargin the Raft core's {@code compactionMargin} (set both alike): compacting at a
   *     snapshot's index keeps the entries from {@code index - compactionMargin} on, in the WAL and after
   *     a reopen, so a restarted node holds the margin it had (the oldest entry kept gives the core the
   *     term before the margin)
   */
  public record Options(long segmentBytes, Fsync fsync, int compactionMargin) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public Options {
      if (segmentBytes < 1) {
        throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
      }
      Objects.requireNonNull(fsync, "fsync");
      if (compactionMargin < 0) {
        throw new IllegalArgumentException("compactionMargin must not be negative: " + compactionMargin);
      }
    }

    public Options(long segmentBytes, Fsync fsync) {
      this(segmentBytes, fsync, 0);
    }

    /** These options with the core's compaction margin of {@code entries}. */
    public Options withCompactionMargin(int entries) {
      return new Options(segmentBytes, fsync, entries);
    }

    public Options(long segmentBytes) {
      this(segmentBytes, Fsync.FORCE);
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
  private Snapshot snapshot;
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
    this.snapshot = snapshot;

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
        resetOnDisk(snapshot);
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
      WalReplay.Result replayed = WalReplay.replay(segments, options.fsync());
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

  /** The latest durable snapshot, if any (the object saved or recovered; its data is not copied). */
  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  /** First index still in the log (snapshot index + 1, or 1; lower by the compaction margin). */
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
  public List<Entry> entries(long from, long toExclusive) {
    return log.slice(from, toExclusive);
  }

  /** Writes a new hard state (not yet durable: call {@link #sync()}). */
  public void saveHardState(HardState state) throws IOException {
    Objects.requireNonNull(state, "state");
    checkUsable();
    maybeRoll();
    ByteBuffer buf = ByteBuffer.allocate(WalRecords.hardStateSize());
    int chain = WalRecords.putHardState(buf, state, currentSegment().salt, currentSegment().endChain);
    write(buf, chain);
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
  public void append(List<Entry> entries) throws IOException {
    write(entries, null);
  }

  /** Forces everything written so far to disk; on return it survives a crash. */
  public void sync() throws IOException {
    checkUsable();
    if (dirty) {
      force(active, currentSegment().path);
      dirty = false;
    }
  }

  /**
   * Appends entries, writes the hard state (either may be empty/null) and syncs, with one fsync:
   * what a node does before answering a vote or an append.
   */
  public void persist(List<Entry> entries, HardState state) throws IOException {
    write(entries, state);
    sync();
  }

  /**
   * Durably stores a snapshot covering the log up to {@code s.index()}, then compacts: deletes WAL
   * segments the snapshot covers entirely and the previous snapshot file. Entries after the
   * snapshot stay readable if the log agrees with it at ({@code s.index()}, {@code s.term()});
   * otherwise the log is replaced by the snapshot (it becomes empty, continuing at {@code s.index() +
   * 1}). Also syncs the WAL.
   *
   * @throws IllegalArgumentException if {@code s.index()} is not beyond the current snapshot
   */
  public void saveSnapshot(Snapshot s) throws IOException {
    saveSnapshot(s, null);
  }

  /**
   * {@link #saveSnapshot(Snapshot)} of a snapshot whose file {@link #writeSnapshotTemp} (or a
   * {@link #receiveSnapshot} sink) already wrote and forced: it is renamed into place instead of
   * written again. With {@code written} null the file is written here.
   */
  public void saveSnapshot(Snapshot s, Path written) throws IOException {
    Objects.requireNonNull(s, "snapshot");
    checkUsable();
    long current = snapshot == null ? log.baseIndex() : Math.max(log.baseIndex(), snapshot.index());
    if (s.index() <= current) {
      throw new IllegalArgumentException("snapshot at " + s.index() + " is not beyond the current snapshot/base "
          + current);
    }
    sync();
    List<SnapshotFiles.SnapshotFile> older = SnapshotFiles.list(dir);
    if (written == null) {
      poisonIfFsyncFails(() -> SnapshotFiles.write(dir, s, options.fsync()));
    } else {
      poisonIfFsyncFails(() -> SnapshotFiles.install(dir, written, s, options.fsync()));
    }
    snapshot = s;
    if (log.compactKeeping(s.index(), s.term(), options.compactionMargin())) {
      deleteCoveredSegments(log.baseIndex());
    } else {
      log.reset(s.index(), s.term());
      resetOnDisk(s);
    }
    for (SnapshotFiles.SnapshotFile f : older) {
      if (!f.path().getFileName().toString().equals(SnapshotFiles.fileName(s))) {
        Files.deleteIfExists(f.path());
      }
    }
    fsyncDir();
  }

  /**
   * Writes {@code s} to a forced temp file for a later {@link #saveSnapshot(Snapshot, Path)}. Touches
   * nothing else of the store, so it may run on another thread while the owner goes on; a crash
   * before the rename leaves only the temp file, which the next open deletes.
   *
   * @throws FsyncFailedException if the force failed (the owner must stop, as for any failed force)
   */
  public Path writeSnapshotTemp(Snapshot s) throws IOException {
    return SnapshotFiles.writeTemp(dir, s, options.fsync());
  }

  /**
   * The file of the current snapshot ({@link #snapshot()}), whose bytes a leader streams to a follower
   * ({@link #decodeSnapshot} reads them back), or empty if there is none.
   */
  public Optional<Path> snapshotFile() {
    return snapshot == null || snapshot.isEmpty() ? Optional.empty()
        : Optional.of(dir.resolve(SnapshotFiles.fileName(snapshot)));
  }

  /**
   * A temp file in the store's directory for a snapshot arriving in chunks; once {@link
   * IncomingSnapshot#finish() finished}, install it with {@link #saveSnapshot(Snapshot, Path)}.
   */
  public IncomingSnapshot receiveSnapshot(long index, long term) throws IOException {
    checkUsable();
    return new IncomingSnapshot(dir.resolve(SnapshotFiles.fileName(index, term) + ".recv.tmp"), options.fsync());
  }

  /** A snapshot file's bytes in memory (what {@link #snapshotFile()} holds), for stores without files. */
  public static byte[] encodeSnapshot(Snapshot s) {
    return SnapshotFiles.encode(s).array();
  }

  /**
   * Reads and verifies (magic, version, CRC32C, lengths) the bytes of a snapshot file.
   *
   * @throws CorruptLogException if they are damaged or incomplete; {@code file} names them
   */
  public static Snapshot decodeSnapshot(byte[] bytes, Path file) throws CorruptLogException {
    return SnapshotFiles.decode(bytes, file);
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
        force(active, currentSegment().path);
      }
    } finally {
      active.close();
      lock.release();
      lockChannel.close();
    }
  }

  // ---- writing ----

  private void write(List<Entry> entries, HardState state) throws IOException {
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
    int size = state == null ? 0 : WalRecords.hardStateSize();
    for (Entry e : entries) {
      size += WalRecords.entrySize(e);
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    Segment seg = currentSegment();
    int chain = seg.endChain;
    for (Entry e : entries) {
      chain = WalRecords.putEntry(buf, e, seg.salt, chain);
    }
    if (state != null) {
      chain = WalRecords.putHardState(buf, state, seg.salt, chain);
    }
    write(buf, chain);
    if (!entries.isEmpty()) {
      log.append(entries);
      seg.mention(entries.get(entries.size() - 1).index());
    }
    if (state != null) {
      hardState = state;
    }
  }

  /**
   * Writes encoded records at the end of the active segment; {@code chainAfter} is the chain value
   * after the last of them, which becomes current only once they are written.
   */
  private void write(ByteBuffer buf, int chainAfter) throws IOException {
    buf.flip();
    long start = activeSize;
    try {
      while (buf.hasRemaining()) {
        active.write(buf, start + buf.position());
      }
    } catch (IOException e) {
      // Cut the partial batch off (e.g. disk full), durably: otherwise a crash could bring back
      // whole records of it behind the records written next at the same offset, which recovery
      // would rightly take for corruption. If even that fails, the file is in an unknown state.
      try {
        active.truncate(start);
        force(active, currentSegment().path);
      } catch (FsyncFailedException f) {
        f.addSuppressed(e);
        throw f;
      } catch (IOException e2) {
        e.addSuppressed(e2);
        failure = e;
      }
      throw e;
    }
    activeSize = start + buf.limit();
    currentSegment().endChain = chainAfter;
    dirty = true;
  }

  private void maybeRoll() throws IOException {
    if (activeSize >= options.segmentBytes()) {
      roll();
    }
  }

  /** Seals the active segment (fsync) and starts the next one with a copy of the hard state. */
  private void roll() throws IOException {
    force(active, currentSegment().path);
    active.close();
    createSegment(currentSegment().seq + 1);
  }

  /**
   * Creates segment {@code seq}: a header with a fresh salt that continues the chain of the segment
   * before (if any), then a copy of the hard state.
   */
  private void createSegment(long seq) throws IOException {
    int prevChain = segments.isEmpty() ? 0 : currentSegment().endChain;
    Segment seg = new Segment(dir, seq);
    active = FileChannel.open(seg.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    activeSize = 0;
    segments.add(seg);
    fsyncDir();
    ByteBuffer buf = ByteBuffer.allocate(Segment.HEADER_BYTES + WalRecords.hardStateSize());
    // A salt need only differ between the lives of a file, not be secret; SecureRandom would cost
    // tens of milliseconds at the first roll of a process.
    seg.putHeader(buf, ThreadLocalRandom.current().nextInt(), prevChain);
    int chain = WalRecords.putHardState(buf, hardState, seg.salt, seg.startChain);
    write(buf, chain);
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
  private void resetOnDisk(Snapshot s) throws IOException {
    roll();
    Segment seg = currentSegment();
    ByteBuffer buf = ByteBuffer.allocate(WalRecords.logBaseSize());
    int chain = WalRecords.putLogBase(buf, s.index(), s.term(), seg.salt, seg.endChain);
    write(buf, chain);
    seg.mention(s.index());
    sync();
    while (segments.size() > 1) {
      Files.deleteIfExists(segments.remove(0).path);
    }
    fsyncDir();
  }

  /** Forces a file; a failure makes the store unusable (see {@link FsyncFailedException}). */
  private void force(FileChannel channel, Path file) throws FsyncFailedException {
    try {
      options.fsync().force(channel, file, false);
    } catch (IOException | RuntimeException e) {
      FsyncFailedException f = new FsyncFailedException(file, e);
      failure = f;
      throw f;
    }
  }

  private void fsyncDir() throws IOException {
    poisonIfFsyncFails(() -> Dirs.fsync(dir, options.fsync()));
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private void poisonIfFsyncFails(IoAction action) throws IOException {
    try {
      action.run();
    } catch (FsyncFailedException e) {
      failure = e;
      throw e;
    }
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    if (failure != null) {
      throw new IOException("an earlier fsync (or the cleanup of a failed write) failed: " + failure.getMessage(), failure);
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
    if (log.compactKeeping(snapshot.index(), snapshot.term(), options.compactionMargin())) {
      return false;
    }
    if (log.baseIndex() > snapshot.index()) {
      throw new CorruptLogException(segments.get(0).path, 0, "log starts at index " + log.firstIndex()
          + " but the newest snapshot only covers up to " + snapshot.index());
    }
    boolean stale = !log.isEmpty();
    log.reset(snapshot.index(), snapshot.term());
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
