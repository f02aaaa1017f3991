package dev.quern.worker.shuffle;

import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.spill.RunFiles;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskAttemptId;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.zip.CRC32C;

/**
 * Fetches one partition of each map output for a reduce attempt and verifies it before any record
 * reaches the reducer: exact stored length and CRC32C against the index. Small segments stay in
 * memory (up to a budget shared by all fetches in flight); the rest are copied to scratch files.
 * A map output that an {@link InPlaceSource} holds (on this host) is only read through for its
 * checksum and then merged from where it lies. Outputs elsewhere are fetched several at once and
 * a failed fetch is retried with back-off ({@link FetchConfig}). Anything wrong with a map output
 * is a {@link MapOutputLostException}; failures of this attempt's own scratch disk are not.
 */
public final class ShuffleFetcher {
  private static final int COPY_BUFFER = 64 * 1024;
  private static final int VERIFY_BUFFER = 1 << 20;
  /**
   * Partitions of map outputs on this host up to this size are read into memory (within the
   * memory budget) rather than merged from where they lie.
   */
  static final int IN_MEMORY_IN_PLACE = 64 * 1024;
  private static final SortedRun EMPTY = new SortedRun.InMemory(new byte[0], false, 0,
      "an empty partition");
  private static final SortedRun EMPTY_COMPRESSED = new SortedRun.InMemory(new byte[0], true, 0,
      "an empty partition");
  /** How often a reduce waiting for map outputs reports that it is alive. */
  static final long WAIT_PING_MILLIS = 1_000;

  private final ShuffleSource source;
  private final Path scratchDir;
  private final String prefix;
  private final long memoryBudget;
  private final FetchConfig config;
  private ByteBuffer direct;
  private final AtomicLong memoryHeld = new AtomicLong();
  private final AtomicLong memoryPeak = new AtomicLong();
  private final AtomicInteger files = new AtomicInteger();
  /** Bodies that fetch threads read; closed to stop them (a blocked read may ignore interrupts). */
  private final Set<InputStream> reading = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /** @param prefix starts the names of scratch files (the attempt's directory name) */
  public ShuffleFetcher(ShuffleSource source, Path scratchDir, String prefix, long memoryBudget) {
    this(source, scratchDir, prefix, memoryBudget, FetchConfig.DEFAULT);
  }

  public ShuffleFetcher(ShuffleSource source, Path scratchDir, String prefix, long memoryBudget,
      FetchConfig config) {
    this.source = source;
    this.scratchDir = scratchDir;
    this.prefix = prefix;
    this.memoryBudget = memoryBudget;
    this.config = config;
  }

  /** Bytes of fetched partitions held in memory now (kept until the reduce ends). */
  public long memoryHeld() {
    return memoryHeld.get();
  }

  /** The most bytes ever held in memory at once, in-flight fetches included; within the budget. */
  public long memoryPeak() {
    return memoryPeak.get();
  }

  /** Fetches one partition on the calling thread. */
  public SortedRun fetch(MapOutputRef ref, int partition) throws IOException {
    if (source instanceof InPlaceSource local && local.holds(ref)) {
      return verifyInPlace(local, ref.attempt().jobId(), ref, partition);
    }
    return fetchRetrying(ref, partition);
  }

  /**
   * Fetches {@code partition} of every output, in place ones first on this thread, then the rest
   * up to {@link FetchConfig#parallelCopies} at once; returns the runs in the order of
   * {@code refs}. {@code onEach} runs on this thread after each fetch. On failure or interrupt
   * every run fetched so far is discarded.
   */
  public List<SortedRun> fetchAll(List<MapOutputRef> refs, int partition, TaskAttemptId attempt,
      Runnable onEach) throws IOException, InterruptedException {
    SortedRun[] runs = new SortedRun[refs.size()];
    List<Integer> remote = new ArrayList<>();
    boolean ok = false;
    try {
      for (int i = 0; i < refs.size(); i++) {
        MapOutputRef ref = refs.get(i);
        if (source instanceof InPlaceSource local && local.holds(ref)) {
          Interrupts.check(attempt);
          runs[i] = verifyInPlace(local, attempt.jobId(), ref, partition);
          onEach.run();
        } else {
          remote.add(i);
        }
      }
      if (!remote.isEmpty()) {
        // Even one remote fetch runs on its own thread: this one waits interruptibly and, when
        // the attempt is killed, closes the body (the JDK's HTTP body read ignores interrupts).
        fetchConcurrently(refs, remote, partition, runs, attempt, onEach);
      }
      ok = true;
      return Arrays.asList(runs);
    } catch (InterruptedIOException e) {
      throw killed(attempt, e);
    } finally {
      if (!ok) {
        synchronized (runs) {
          for (int i = 0; i < runs.length; i++) {
            discardQuietly(runs[i]);
            runs[i] = null;
          }
        }
      }
    }
  }

  /**
   * The feed after {@code lost}: rethrows it while the feed still lists the lost output (its map
   * has not been run again yet), else the snapshot in which the output is replaced.
   */
  private static MapOutputFeed.Snapshot replaced(MapOutputFeed feed, MapOutputLostException lost)
      throws MapOutputLostException {
    MapOutputFeed.Snapshot now = feed.snapshot();
    if (lost.output().equals(now.get(lost.output().mapIndex()))) {
      throw lost;
    }
    return now;
  }

  /**
   * Fetches {@code partition} of each of {@code mapCount} maps' outputs as {@code feed} makes
   * them known, for a reduce that may have started before every map finished: what the feed
   * holds now is fetched (as {@link #fetchAll} does, within the same memory budget), then the
   * outputs added meanwhile, and so on; a run whose output the feed withdrew or replaced (its
   * map ran again) is dropped and the new one fetched. Returns once it holds one verified run
   * per map, in map order. A lost output that the feed has since withdrawn is not an error; any
   * other is. {@code onEach} runs on this thread after each fetch, with the runs held so far,
   * and every {@link #WAIT_PING_MILLIS} while it waits for a map.
   */
  public List<SortedRun> fetchAsTheyCome(MapOutputFeed feed, int mapCount, int partition,
      TaskAttemptId attempt, IntConsumer onEach) throws IOException, InterruptedException {
    // By map index, in arrays: a reduce of 10,000 maps walks them a few times, where copying and
    // sorting maps of 10,000 entries per pass was most of its time.
    MapOutputRef[] heldRefs = new MapOutputRef[mapCount];
    SortedRun[] heldRuns = new SortedRun[mapCount];
    // Bits by map index: the maps held. A pass visits only the maps the feed has and this reduce
    // does not hold (64 at a time), not every map (M x R visits of cold refs, per pass).
    long[] heldBits = new long[(mapCount + 63) >>> 6];
    int[] heldCount = new int[1];
    // The feed's count of withdrawn or replaced outputs when the held runs were last checked
    // against it: while it is unchanged, every run held is of the output the feed has.
    long checked = -1;
    boolean ok = false;
    InPlaceSource local = source instanceof InPlaceSource l ? l : null;
    try {
      MapOutputFeed.Snapshot seen = feed.snapshot();
      while (true) {
        if (seen.span() > heldRefs.length) {
          heldRefs = Arrays.copyOf(heldRefs, seen.span());
          heldRuns = Arrays.copyOf(heldRuns, seen.span());
          heldBits = Arrays.copyOf(heldBits, (seen.span() + 63) >>> 6);
        }
        if (seen.replaced() != checked) {
          for (int m = 0; m < heldRefs.length; m++) {
            MapOutputRef have = heldRefs[m];
            MapOutputRef want = seen.get(m);
            if (have == null && (heldBits[m >>> 6] & (1L << m)) != 0) {
              // Counted empty from the bits, with no ref kept: judged again on this snapshot.
              heldBits[m >>> 6] &= ~(1L << m);
              heldCount[0]--;
            } else if (have != null && have != want && !have.equals(want)) {
              discardQuietly(heldRuns[m]);
              heldRefs[m] = null;
              heldRuns[m] = null;
              heldBits[m >>> 6] &= ~(1L << m);
              heldCount[0]--;
            }
          }
          checked = seen.replaced();
        }
        // Outputs whose indexes were read (by this reduce or another of its job) and hold
        // nothing for this partition count as fetched from one int and one bit each; only the
        // others are asked of the source.
        MapsWithData known = local == null ? null : local.mapsWithData(attempt.jobId());
        int skipped = 0;
        List<MapOutputRef> missing = new ArrayList<>(Math.max(0, seen.count() - heldCount[0]));
        try {
          for (int w = 0; w < heldBits.length; w++) {
            long todo = seen.presentWord(w) & ~heldBits[w];
            if (todo != 0 && known != null) {
              // Maps known to have nothing for this partition, 64 at a time: held, counted, and
              // no ref or run kept (an output recorded there was read in place here, so the
              // source holds it). Visiting each of them cost more than all the reads of the rest.
              long empty = known.emptyIn(w, todo, partition, seen);
              if (empty != 0) {
                int n = Long.bitCount(empty);
                heldBits[w] |= empty;
                heldCount[0] += n;
                skipped += n;
                todo &= ~empty;
              }
            }
            while (todo != 0) {
              int m = (w << 6) + Long.numberOfTrailingZeros(todo);
              todo &= todo - 1;
              MapOutputRef want = seen.get(m);
              int a = seen.attemptOf(m);
              // What the source keeps of the output is found by the feed's map index and
              // attempt number (no ref read) and read here, without asking the source again.
              MapOutputIndexCache.Kept k = local != null && local.holds(want)
                  ? local.kept(attempt.jobId(), m, a) : null;
              if (k == null) {
                missing.add(want);
                continue;
              }
              Interrupts.check(attempt);
              SortedRun run = readKept(k, want, partition);
              heldRefs[m] = want;
              if (run != EMPTY) {
                heldRuns[m] = run;
              }
              heldBits[w] |= 1L << m;
              heldCount[0]++;
              onEach.accept(heldCount[0]);
            }
          }
        } catch (MapOutputLostException lost) {
          seen = replaced(feed, lost);
          continue;
        }
        if (skipped > 0) {
          known.countSkipped(skipped);
          onEach.accept(heldCount[0]);
        }
        if (!missing.isEmpty()) {
          int before = heldCount[0];
          int[] n = new int[1];
          List<SortedRun> got;
          try {
            got = fetchAll(missing, partition, attempt, () -> onEach.accept(before + ++n[0]));
          } catch (MapOutputLostException lost) {
            seen = replaced(feed, lost);
            continue;
          }
          for (int i = 0; i < missing.size(); i++) {
            int m = missing.get(i).mapIndex();
            heldRefs[m] = missing.get(i);
            heldRuns[m] = got.get(i);
            heldBits[m >>> 6] |= 1L << m;
            heldCount[0]++;
          }
          seen = feed.snapshot();
          continue;
        }
        if (heldCount[0] >= mapCount) {
          MapOutputFeed.Snapshot now = feed.snapshot();
          if (now.version() == seen.version()) {
            List<SortedRun> runs = new ArrayList<>(heldCount[0]);
            for (int m = 0; m < heldRuns.length; m++) {
              SortedRun r = heldRuns[m];
              if (r != null) {
                runs.add(r);
              } else if ((heldBits[m >>> 6] & (1L << m)) != 0) {
                runs.add(EMPTY); // empty: from the bits, or read so
              }
            }
            ok = true;
            return runs;
          }
          seen = now;
          continue;
        }
        try {
          seen = feed.awaitAfter(seen, WAIT_PING_MILLIS);
          // Still alive while it waits for maps (a silent attempt is killed by the master).
          onEach.accept(heldCount[0]);
        } catch (InterruptedException e) {
          InterruptedException k = new InterruptedException("attempt " + attempt + " was killed");
          k.initCause(e);
          throw k;
        }
      }
    } finally {
      if (!ok) {
        for (SortedRun r : heldRuns) {
          discardQuietly(r);
        }
      }
    }
  }

  private void fetchConcurrently(List<MapOutputRef> refs, List<Integer> remote, int partition,
      SortedRun[] runs, TaskAttemptId attempt, Runnable onEach)
      throws IOException, InterruptedException {
    // A previous batch's fetches were stopped and waited for (fetchAsTheyCome runs several).
    stopping = false;
    AtomicInteger seq = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(
        Math.min(config.parallelCopies(), remote.size()), r -> {
          Thread t = new Thread(r, "fetch-" + attempt + "-" + seq.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    boolean[] abandoned = new boolean[1];
    try {
      CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
      for (int i : remote) {
        done.submit(() -> {
          SortedRun run = fetchRetrying(refs.get(i), partition);
          // A fetch that ends after the reduce gave up cleans up after itself.
          synchronized (runs) {
            if (abandoned[0]) {
              discardQuietly(run);
            } else {
              runs[i] = run;
            }
          }
          return i;
        });
      }
      for (int n = 0; n < remote.size(); n++) {
        Future<Integer> f;
        try {
          f = done.take();
        } catch (InterruptedException e) {
          throw new InterruptedException("attempt " + attempt + " was killed");
        }
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof InterruptedIOException ie) {
            throw killed(attempt, ie);
          }
          if (c instanceof IOException io) {
            throw io;
          }
          if (c instanceof RuntimeException re) {
            throw re;
          }
          if (c instanceof Error err) {
            throw err;
          }
          throw new IOException(c);
        }
        onEach.run();
      }
    } finally {
      synchronized (runs) {
        abandoned[0] = true;
      }
      stopping = true;
      pool.shutdownNow();
      for (InputStream in : reading) {
        try {
          in.close();
        } catch (IOException ignored) {
          // the fetch thread sees the stream end and stops
        }
      }
      // Closed bodies and the interrupt stop the fetches; waiting lets them delete their files.
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static InterruptedException killed(TaskAttemptId attempt, InterruptedIOException e) {
    InterruptedException k = new InterruptedException("attempt " + attempt + " was killed");
    k.initCause(e);
    return k;
  }

  private void discardQuietly(SortedRun run) {
    if (run == null) {
      return;
    }
    if (run instanceof SortedRun.InMemory m) {
      memoryHeld.addAndGet(-m.storedLength());
    }
    try {
      run.discard();
    } catch (IOException ignored) {
      // a scratch file that cannot be deleted goes with the attempt's scratch directory
    }
  }

  /** A failure that may pass on a second try. */
  private static final class Transient extends Exception {
    Transient(String reason, Throwable cause) {
      super(reason, cause, false, false);
    }
  }

  private SortedRun fetchRetrying(MapOutputRef ref, int partition) throws IOException {
    Transient last = null;
    for (int attempt = 0; attempt <= config.retries(); attempt++) {
      if (stopping) {
        throw new InterruptedIOException("the reduce stopped fetching");
      }
      if (attempt > 0) {
        try {
          Thread.sleep(config.backoff(attempt - 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting to retry a fetch");
        }
      }
      try {
        return fetchOnce(ref, partition);
      } catch (Transient t) {
        last = t;
      }
    }
    if (stopping) {
      throw new InterruptedIOException("the reduce stopped fetching");
    }
    int tries = config.retries() + 1;
    MapOutputLostException lost = new MapOutputLostException(ref, partition, "fetch from "
        + ref.host() + " failed " + tries + (tries == 1 ? " time" : " times") + "; last: "
        + last.getMessage());
    lost.initCause(last.getCause() != null ? last.getCause() : last);
    throw lost;
  }

  private SortedRun fetchOnce(MapOutputRef ref, int partition) throws IOException, Transient {
    ShuffleSource.Segment seg;
    try {
      seg = source.open(ref, partition);
    } catch (MapOutputLostException | InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new Transient("cannot open: " + e, e);
    }
    String what = "map output of " + ref.attempt() + " partition " + partition;
    long len = seg.storedLength();
    InputStream body = seg.in();
    reading.add(body);
    try (InputStream in = body) {
      if (stopping) {
        throw new InterruptedIOException("the reduce stopped fetching");
      }
      if (len <= Integer.MAX_VALUE - 16 && reserve(len)) {
        boolean kept = false;
        try {
          byte[] bytes = new byte[(int) len];
          int n = read(in, bytes, 0, bytes.length);
          if (n < len) {
            throw truncated(n, len);
          }
          CRC32C crc = new CRC32C();
          crc.update(bytes, 0, bytes.length);
          check(crc, seg.checksum());
          kept = true;
          return new SortedRun.InMemory(bytes, seg.compressed(), seg.rawLength(), what);
        } finally {
          if (!kept) {
            memoryHeld.addAndGet(-len);
          }
        }
      }
      Path file = scratchDir.resolve(prefix + ".fetch" + files.getAndIncrement());
      boolean kept = false;
      try {
        CRC32C crc = new CRC32C();
        byte[] copy = new byte[COPY_BUFFER];
        long total = 0;
        try (OutputStream out =
            new BufferedOutputStream(Files.newOutputStream(file), COPY_BUFFER)) {
          while (total < len) {
            int n = read(in, copy, 0, (int) Math.min(copy.length, len - total));
            if (n <= 0) {
              break;
            }
            crc.update(copy, 0, n);
            out.write(copy, 0, n);
            total += n;
          }
        }
        if (total < len) {
          throw truncated(total, len);
        }
        check(crc, seg.checksum());
        kept = true;
        return new SortedRun.InFile(file, 0, len, seg.compressed(), seg.rawLength(), what);
      } finally {
        if (!kept) {
          Files.deleteIfExists(file);
        }
      }
    } finally {
      reading.remove(body);
    }
  }

  private boolean reserve(long len) {
    while (true) {
      long held = memoryHeld.get();
      if (len > memoryBudget - held) {
        return false;
      }
      if (memoryHeld.compareAndSet(held, held + len)) {
        memoryPeak.accumulateAndGet(held + len, Math::max);
        return true;
      }
    }
  }

  /** {@code ref} is an output of job {@code jobId}'s maps. */
  private SortedRun verifyInPlace(InPlaceSource local, String jobId, MapOutputRef ref,
      int partition) throws IOException {
    // What the source keeps is read there (an output held unwritten has no file to locate).
    MapOutputIndexCache.Kept k = local.kept(jobId, ref.mapIndex(), ref.attempt().attempt());
    if (k != null) {
      return readKept(k, ref, partition);
    }
    InPlaceSource.Location at;
    try {
      at = local.locate(jobId, ref, partition);
    } catch (MapOutputLostException e) {
      throw e;
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "cannot open: " + e);
    }
    if (at.storedLength() == 0) {
      // An empty partition (most of them, when maps are small and reduces many): nothing to
      // read, verify or merge, and no file is opened.
      if (at.rawLength() != 0 || at.checksum() != 0) {
        throw new MapOutputLostException(ref, partition, "the index gives an empty partition "
            + at.rawLength() + " raw bytes and CRC32C " + Integer.toHexString(at.checksum()));
      }
      return at.compressed() ? EMPTY_COMPRESSED : EMPTY;
    }
    byte[] held = at.storedLength() <= IN_MEMORY_IN_PLACE ? local.heldData(jobId, ref) : null;
    return readInPlace(ref, partition, at, held,
        "map output of " + ref.attempt() + " partition " + partition, null);
  }

  /**
   * As {@link #verifyInPlace} for an output whose index (and data, when small) the source keeps
   * as {@code k}: the entry is read there (kept indexes hold only non-empty partitions, so an
   * absent one is empty), and a small partition of a held data file is copied from there.
   */
  private SortedRun readKept(MapOutputIndexCache.Kept k, MapOutputRef ref, int partition)
      throws IOException {
    if (partition < 0 || partition >= k.partitions()) {
      throw new MapOutputLostException(ref, partition,
          "the index has " + k.partitions() + " partitions");
    }
    int s = k.slot(partition);
    if (s < 0) {
      return k.compressed() ? EMPTY_COMPRESSED : EMPTY;
    }
    return readInPlace(ref, partition, k.location(s), k.data(), k.describe(ref, partition), k);
  }

  /**
   * Reads and verifies the non-empty partition at {@code at}: a small one into memory (copied
   * from {@code held}, the output's data file in memory, when not null), a larger one read
   * through for its checksum and merged from where it lies later.
   */
  private SortedRun readInPlace(MapOutputRef ref, int partition, InPlaceSource.Location at,
      byte[] held, String what, MapOutputIndexCache.Kept kept) throws IOException {
    boolean fromHeld = held != null && at.offset() + at.storedLength() <= held.length;
    if (at.storedLength() <= IN_MEMORY_IN_PLACE && reserve(at.storedLength())) {
      SortedRun run = null;
      try {
        if (!fromHeld) {
          ensureWritten(kept, ref, partition);
        }
        run = fromHeld ? copyHeld(ref, partition, at, held, what)
            : readSmallInPlace(ref, partition, at, what);
        return run;
      } finally {
        if (run == null) {
          memoryHeld.addAndGet(-at.storedLength());
        }
      }
    }
    // Read through and merged from the file: an output held unwritten is written first.
    ensureWritten(kept, ref, partition);
    if (direct == null) {
      direct = ByteBuffer.allocateDirect(VERIFY_BUFFER);
    }
    CRC32C crc = new CRC32C();
    long total = 0;
    FileChannel ch = null;
    try {
      ch = RunFiles.open(at.file());
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
    } catch (java.nio.file.NoSuchFileException e) {
      throw new MapOutputLostException(ref, partition, "data file " + at.file()
          + " does not exist");
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "read failed: " + e);
    } finally {
      if (ch != null) {
        RunFiles.close(ch);
      }
    }
    if (total < at.storedLength()) {
      throw new MapOutputLostException(ref, partition,
          "truncated: got " + total + " of " + at.storedLength() + " bytes");
    }
    int actual = (int) crc.getValue();
    if (actual != at.checksum()) {
      throw new MapOutputLostException(ref, partition, mismatch(actual, at.checksum()));
    }
    return new SortedRun.InPlace(at.file(), at.offset(), at.storedLength(), at.compressed(),
        at.rawLength(), what);
  }

  private static void ensureWritten(MapOutputIndexCache.Kept kept, MapOutputRef ref,
      int partition) throws MapOutputLostException {
    if (kept == null || !kept.unwritten()) {
      return;
    }
    try {
      kept.ensureWritten();
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition,
          "could not write the output held in memory to its files: " + e);
    }
  }

  /** Copies a partition of a map output the source holds in memory, and verifies it. */
  private static SortedRun copyHeld(MapOutputRef ref, int partition, InPlaceSource.Location at,
      byte[] held, String what) throws MapOutputLostException {
    int from = (int) at.offset();
    byte[] bytes = Arrays.copyOfRange(held, from, from + (int) at.storedLength());
    return verified(ref, partition, at, bytes, what);
  }

  private static SortedRun verified(MapOutputRef ref, int partition, InPlaceSource.Location at,
      byte[] bytes, String what) throws MapOutputLostException {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    int actual = (int) crc.getValue();
    if (actual != at.checksum()) {
      throw new MapOutputLostException(ref, partition, mismatch(actual, at.checksum()));
    }
    return new SortedRun.InMemory(bytes, at.compressed(), at.rawLength(), what);
  }

  /**
   * Reads a small partition into memory and verifies it: one open and one read, where verifying
   * in place and merging from the file later opened it twice (with many small map outputs,
   * opening files is most of a reduce's time).
   */
  private SortedRun readSmallInPlace(MapOutputRef ref, int partition, InPlaceSource.Location at,
      String what) throws IOException {
    byte[] bytes = new byte[(int) at.storedLength()];
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    FileChannel ch = null;
    try {
      ch = RunFiles.open(at.file());
      while (buf.hasRemaining()) {
        if (ch.read(buf, at.offset() + buf.position()) < 0) {
          break;
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new MapOutputLostException(ref, partition, "data file " + at.file()
          + " does not exist");
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, "read failed: " + e);
    } finally {
      if (ch != null) {
        RunFiles.close(ch);
      }
    }
    if (buf.hasRemaining()) {
      throw new MapOutputLostException(ref, partition,
          "truncated: got " + buf.position() + " of " + at.storedLength() + " bytes");
    }
    return verified(ref, partition, at, bytes, what);
  }

  private static int read(InputStream in, byte[] b, int off, int len) throws Transient,
      InterruptedIOException {
    try {
      return in.readNBytes(b, off, len);
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new Transient("read failed: " + e, e);
    }
  }

  private static Transient truncated(long got, long want) {
    return new Transient("truncated: got " + got + " of " + want + " bytes", null);
  }

  private static void check(CRC32C crc, int expected) throws Transient {
    int actual = (int) crc.getValue();
    if (actual != expected) {
      throw new Transient(mismatch(actual, expected), null);
    }
  }

  private static String mismatch(int actual, int expected) {
    return String.format(
        "checksum mismatch: stored bytes have CRC32C %08x, the index says %08x", actual, expected);
  }
}
