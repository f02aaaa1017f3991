package dev.quern.worker.shuffle;

import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Map-output indexes that a host's reduces read, checked once and kept in memory, within a budget
 * of bytes. With M maps and R reduces every index is read R times, one entry each time: a job of
 * 10,000 maps and 1,000 reduces looks up ten million entries, most of them empty partitions of
 * small maps. Opening the index file for each (open, read, close: tens of microseconds here)
 * made the shuffle cost minutes; a lookup here costs a hash lookup and a binary search, and an
 * empty partition touches no file at all.
 *
 * <p>Only non-empty partitions are kept (a map of a few records writes few of them), so an entry
 * costs {@link #BYTES_PER_PARTITION} bytes per non-empty partition plus {@link #BYTES_PER_INDEX},
 * plus the whole data file when the map output is small (then reading a partition of it opens
 * no file either).
 * Past the budget the least recently used indexes are dropped; they are read from their files
 * again, one entry at a time, by the caller. Map outputs are written once under a path naming
 * their attempt and are never changed, so a kept index stays right as long as its file exists;
 * a data file that is gone or shorter than the kept index says is found when the partition is
 * read (its length and checksum are verified then).
 *
 * <p>A small output of a map of this process may be put unwritten ({@link #putUnwritten}): the
 * map wrote no file, this holds all of it, and its files are written before it leaves the cache
 * or is read from a file ({@link Kept#ensureWritten}).
 *
 * <p>Thread-safe: a host's reduce slots share one cache. A lookup takes no lock and writes
 * only its entry's last use (a reduce of 10,000 maps makes 10,000 of them; under one lock, with
 * an access-ordered map relinking an entry on every hit, they were a quarter of its time). The
 * least recently used is then approximate: when a put goes past the budget, the entries least
 * recently looked up are dropped until the cache is back to {@link #REFILL} of its budget, so
 * the sort that finds them is paid once per many puts.
 *
 * <p>Indexes put with their {@link MapOutputRef} are also kept in an array per job by map index
 * ({@link #get(MapOutputRef)}): a reduce walks its maps in index order, and an array read there
 * replaced a hash lookup keyed by the index file's path (a path of about 100 characters, hashed
 * again for every reduce whose refs are new strings, and compared whole), which was the largest
 * part of a reduce of 5,000 small maps. A job's array lives while it holds an entry; it has one
 * slot per map index up to the highest kept (8 bytes each, 80 KB for 10,000 maps).
 *
 * <p>Each index put with its ref is also recorded in its job's {@link MapsWithData} (which maps
 * have records in which partition), which outlives the entries (an evicted index's bits stay):
 * a reduce then asks here only of the maps with data for it, and counts the others as fetched
 * from one bit each. The {@link #MAX_JOBS_WITH_DATA} jobs put into last keep theirs, each within
 * an eighth of the budget.
 */
public final class MapOutputIndexCache {
  private static final Logger log = LoggerFactory.getLogger(MapOutputIndexCache.class);
  /**
   * Bytes kept per non-empty partition: offset, stored and raw length, checksum (a long each;
   * and the partition's number, 4 more, in an index too sparse for a set of its partitions).
   */
  public static final int BYTES_PER_PARTITION = 8 + 8 + 8 + 8;
  /** Bytes counted per kept index for its object, arrays and map entry. */
  public static final int BYTES_PER_INDEX = 160;
  /** The share of the budget a put that went past it leaves used, by dropping entries. */
  static final double REFILL = 0.9;
  /** Jobs whose {@link MapsWithData} are kept (the last put into). */
  static final int MAX_JOBS_WITH_DATA = 4;

  private final long budget;
  /** Guarded by {@code this}: changed by puts only. */
  private long used;
  private long evictions;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  /**
   * Counts puts (under the lock); a lookup copies it into its entry's last use. Lookups used to
   * count too: two reduce slots then wrote this line on every lookup (tens of thousands each)
   * and took it from each other's core, together with the fields read beside it.
   */
  private long clock;
  private final Map<String, Kept> kept = new ConcurrentHashMap<>(256);
  /** The entries put with a ref, by job and map index; changed under {@code this} only. */
  private final Map<String, ByMap> byJob = new ConcurrentHashMap<>();
  /** Which maps have data in which partition, by job; changed under {@code this} only. */
  private final Map<String, MapsWithData> withData = new ConcurrentHashMap<>();
  /** The jobs of {@code withData}, the least recently put into first; under {@code this}. */
  private final ArrayDeque<String> withDataOrder = new ArrayDeque<>();

  /** One job's kept indexes by map index. */
  private static final class ByMap {
    /** Replaced (grown) under the cache's lock; elements written under it too. */
    volatile Kept[] byMap;
    /** Non-null elements; guarded by the cache. */
    int count;

    ByMap(int size) {
      byMap = new Kept[size];
    }
  }

  /** @param budget bytes of indexes to keep at most (0 keeps none) */
  public MapOutputIndexCache(long budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("index cache budget must be >= 0, got " + budget);
    }
    this.budget = budget;
  }

  /**
   * One map output's index as kept: its data file and only the non-empty partitions, sorted.
   *
   * <p>Everything a lookup reads is in one array ({@code table}): the set of non-empty partitions
   * with the rank at the start of each word, then the entries, four longs each. A reduce asks
   * each of thousands of cold outputs for one partition: with the set and the entries' four
   * columns in arrays of their own, and a rank counted over up to 15 words, a lookup read five
   * arrays (each a cold header and line); it now reads one word, its rank and the entry.
   */
  public static final class Kept {
    /** Longs per entry in {@code table}: offset, stored length, raw length, checksum. */
    private static final int ENTRY_LONGS = 4;

    private final Path dataFile;
    private final String dataName;
    /** The index file's name, for an entry whose files are not written yet; else null. */
    private final String indexName;
    /**
     * Whether the files are still to be written: the output was put with {@link
     * #putUnwritten} and has not left the cache nor been read from a file since.
     */
    private volatile boolean unwritten;
    /** The attempt whose output this is, when put with its ref; else null. */
    private final TaskAttemptId attempt;
    /** {@code attempt}'s number, here to compare without reading the attempt (0 without one). */
    private final int attemptNumber;
    private final boolean compressed;
    private final int partitions;
    /** Partitions with records. */
    private final int count;
    /**
     * Whether {@code table} starts with the set of non-empty partitions: bit p of word p / 64 at
     * {@code table[2 * (p / 64)]}, followed by the number of bits set in the words before it.
     * Without one (when it would take more bytes than the entries) {@code parts} is searched.
     * A reduce asks each of 10,000 outputs for its partition, and most of them have none: one
     * bit read answers that, and the rank beside it gives the entry's place.
     */
    private final boolean ranked;
    /** Words of the set ({@code (partitions + 63) / 64}), 0 without one. */
    private final int words;
    /** The non-empty partitions, sorted, when there is no set; else null. */
    private final int[] parts;
    /** The set and ranks (2 longs a word), then the entries ({@link #ENTRY_LONGS} longs each). */
    private final long[] table;
    private final byte[] data;
    /** The cache's clock at this entry's last lookup (racy: a blurred order is fine). */
    private long lastUse;
    /** The location of any empty partition, made once: most lookups are of one. */
    private InPlaceSource.Location empty;
    /** "map output of ATTEMPT", made at the first run read from it (racy: equal strings). */
    private String what;

    private Kept(String dataName, TaskAttemptId attempt,
        PartitionIndex index, byte[] data, String unwrittenIndex) {
      this.dataName = dataName;
      this.indexName = unwrittenIndex;
      this.unwritten = unwrittenIndex != null;
      this.attempt = attempt;
      this.attemptNumber = attempt == null ? 0 : attempt.attempt();
      this.data = data;
      this.dataFile = Path.of(dataName);
      this.compressed = index.compressed();
      this.partitions = index.partitions();
      List<IndexEntry> entries = index.entries();
      int n = 0;
      for (int p = 0; p < partitions; p++) {
        if (entries.get(p).storedLength() != 0) {
          n++;
        }
      }
      count = n;
      int w = (partitions + 63) >>> 6;
      ranked = 16L * w <= (long) n * BYTES_PER_PARTITION;
      words = ranked ? w : 0;
      parts = ranked ? null : new int[n];
      table = new long[2 * words + ENTRY_LONGS * n];
      int i = 0;
      int at = 2 * words;
      for (int p = 0; p < partitions; p++) {
        IndexEntry e = entries.get(p);
        if (e.storedLength() != 0) {
          if (ranked) {
            table[2 * (p >>> 6)] |= 1L << p;
          } else {
            parts[i] = p;
          }
          table[at] = e.offset();
          table[at + 1] = e.storedLength();
          table[at + 2] = e.rawLength();
          table[at + 3] = e.crc();
          at += ENTRY_LONGS;
          i++;
        }
      }
      int rank = 0;
      for (int j = 0; j < words; j++) {
        table[2 * j + 1] = rank;
        rank += Long.bitCount(table[2 * j]);
      }
    }

    public Path dataFile() {
      return dataFile;
    }

    /** Whether the output's files are not written yet (all it holds is here). */
    public boolean unwritten() {
      return unwritten;
    }

    /**
     * Writes the output's data and index files if they are not written yet (once, whoever asks
     * first): before the entry leaves the cache, or a reader that reads the file rather than
     * {@link #data} opens it.
     */
    public void ensureWritten() throws IOException {
      if (!unwritten) {
        return;
      }
      synchronized (this) {
        if (unwritten) {
          index().writeWithData(dataFile, data, Path.of(indexName));
          unwritten = false;
        }
      }
    }

    /**
     * The index as written: an empty partition at the end of the one before it, with no
     * record count (as {@link PartitionIndex#read} gives it).
     */
    PartitionIndex index() {
      IndexEntry[] entries = new IndexEntry[partitions];
      long end = 0;
      for (int p = 0; p < partitions; p++) {
        int s = slot(p);
        if (s < 0) {
          entries[p] = new IndexEntry(end, 0, 0, 0, -1);
        } else {
          entries[p] = new IndexEntry(offset(s), rawLength(s), storedLength(s), checksum(s), -1);
          end = offset(s) + storedLength(s);
        }
      }
      return new PartitionIndex(compressed, Arrays.asList(entries));
    }

    /** The whole data file, when it was small enough to keep; null otherwise. Never written. */
    public byte[] data() {
      return data;
    }

    public boolean compressed() {
      return compressed;
    }

    public int partitions() {
      return partitions;
    }

    /** Partitions with records. */
    public int nonEmpty() {
      return count;
    }

    /** The partitions with records, in order. */
    int[] nonEmptyPartitions() {
      if (!ranked) {
        return parts;
      }
      int[] ps = new int[count];
      int i = 0;
      for (int j = 0; j < words; j++) {
        long bits = table[2 * j];
        while (bits != 0) {
          ps[i++] = (j << 6) + Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
        }
      }
      return ps;
    }

    /**
     * The entry of {@code partition} (which must be in range): an empty partition (stored
     * length 0, checksum 0, the CRC32C of no bytes) has offset 0.
     */
    public IndexEntry entry(int partition) {
      int i = slot(partition);
      if (i < 0) {
        return new IndexEntry(0, 0, 0, 0, -1);
      }
      return new IndexEntry(offset(i), rawLength(i), storedLength(i), checksum(i), -1);
    }

    /**
     * Where {@code partition}'s entry (in range) is, for {@link #offset} and the others, or -1
     * when the partition is empty: a bit, its word's rank and a count of the bits below it in
     * the word, or a binary search of {@code parts} without the set.
     */
    public int slot(int partition) {
      if (ranked) {
        int w = 2 * (partition >>> 6);
        long bits = table[w];
        long bit = 1L << partition;
        if ((bits & bit) == 0) {
          return -1;
        }
        return 2 * words
            + ENTRY_LONGS * ((int) table[w + 1] + Long.bitCount(bits & (bit - 1)));
      }
      int i = Arrays.binarySearch(parts, partition);
      return i < 0 ? -1 : ENTRY_LONGS * i;
    }

    /** The offset in the data file of the entry at {@code slot} (from {@link #slot}). */
    public long offset(int slot) {
      return table[slot];
    }

    public long storedLength(int slot) {
      return table[slot + 1];
    }

    public long rawLength(int slot) {
      return table[slot + 2];
    }

    /** The CRC32C of the stored bytes of the entry at {@code slot}. */
    public int checksum(int slot) {
      return (int) table[slot + 3];
    }

    /** Whether {@code partition} (in range) has no records. */
    public boolean isEmpty(int partition) {
      if (ranked) {
        return (table[2 * (partition >>> 6)] & (1L << partition)) == 0;
      }
      return Arrays.binarySearch(parts, partition) < 0;
    }

    /**
     * Where an empty partition lies: nowhere (offset and lengths 0, checksum 0, the CRC32C of no
     * bytes). One object per kept index, so that a reduce's many empty partitions allocate none.
     */
    InPlaceSource.Location emptyLocation() {
      InPlaceSource.Location e = empty;
      if (e == null) {
        e = new InPlaceSource.Location(dataFile, 0, 0, 0, 0, compressed);
        empty = e; // racy: two equal objects at worst
      }
      return e;
    }

    /** Where the entry at {@code slot} lies (from {@link #slot}; -1 for an empty partition). */
    InPlaceSource.Location location(int slot) {
      return slot < 0 ? emptyLocation() : new InPlaceSource.Location(dataFile, offset(slot),
          storedLength(slot), rawLength(slot), checksum(slot), compressed);
    }

    /**
     * Names partition {@code partition} of this output, as a run read from it describes itself
     * (in errors): the attempt's part is made once, not for each of the job's reduces.
     */
    String describe(MapOutputRef ref, int partition) {
      String w = what;
      if (w == null) {
        w = "map output of " + (attempt != null ? attempt : ref.attempt());
        what = w;
      }
      return w + " partition " + partition;
    }

    long bytes() {
      return BYTES_PER_INDEX + 8L * table.length + (parts == null ? 0 : 4L * parts.length)
          + (data == null ? 0 : data.length);
    }
  }

  /** The kept index of {@code indexFile} with data file {@code dataFile}, or null. */
  public Kept get(String indexFile, String dataFile) {
    Kept k = kept.get(indexFile);
    if (k == null || !k.dataName.equals(dataFile)) {
      misses.increment();
      return null;
    }
    hits.increment();
    touch(k);
    return k;
  }

  /**
   * Keeps a checked index (read whole by {@link PartitionIndex#read}) and, for a small map
   * output, its whole data file ({@code data}, else null); drops the least recently used past
   * the budget. Returns the kept form, also when it is too big to keep.
   */
  public synchronized Kept put(String indexFile, String dataFile, PartitionIndex index,
      byte[] data) {
    return put(indexFile, new Kept(dataFile, null, index, data, null), -1);
  }

  /**
   * As {@link #put(String, String, PartitionIndex, byte[])} for {@code ref}'s output, also kept
   * by its job and map index for {@link #get(MapOutputRef)}.
   */
  public synchronized Kept put(MapOutputRef ref, PartitionIndex index, byte[] data) {
    // A ref whose map index is not its attempt's task is not kept by index (never so here).
    boolean indexed = ref.mapIndex() >= 0 && ref.mapIndex() == ref.attempt().taskIndex();
    Kept k = new Kept(ref.dataFile(), indexed ? ref.attempt() : null, index, data, null);
    if (indexed) {
      record(ref.attempt().jobId(), ref.mapIndex(), ref.attempt().attempt(), k);
    }
    return put(ref.indexFile(), k, ref.mapIndex());
  }

  /**
   * Keeps {@code ref}'s output, whose files are not written, {@code data} being its data file's
   * bytes, as {@link #put(MapOutputRef, PartitionIndex, byte[])} would; its files are written
   * when it leaves the cache ({@link Kept#ensureWritten}). False, keeping nothing, when it is not
   * kept by map index or would not fit in the budget: the caller writes the files.
   */
  public synchronized boolean putUnwritten(MapOutputRef ref, PartitionIndex index, byte[] data) {
    if (ref.mapIndex() < 0 || ref.mapIndex() != ref.attempt().taskIndex() || data == null) {
      return false;
    }
    Kept k = new Kept(ref.dataFile(), ref.attempt(), index, data, ref.indexFile());
    if (k.bytes() > budget) {
      return false;
    }
    record(ref.attempt().jobId(), ref.mapIndex(), ref.attempt().attempt(), k);
    put(ref.indexFile(), k, ref.mapIndex());
    return true;
  }

  /**
   * An entry leaves the cache: one whose files are not written writes them first. Failing that
   * (the job's scratch directory is gone with its job, or the disk refuses), the output is lost
   * as a deleted file would be: a reduce that wants it finds no index file and has the map run
   * again.
   */
  private void release(Kept k) {
    if (!k.unwritten()) {
      return;
    }
    try {
      k.ensureWritten();
    } catch (IOException e) {
      if (Files.isDirectory(k.dataFile().getParent())) {
        log.warn("could not write the map output {} as it left the index cache: {}", k.dataName,
            e.toString());
      }
    }
  }

  /** Records which partitions of {@code map}'s output (attempt {@code attempt}) have data. */
  private void record(String jobId, int map, int attempt, Kept k) {
    if (budget == 0) {
      return;
    }
    MapsWithData t = withData.get(jobId);
    if (t == null) {
      t = new MapsWithData(k.partitions, budget / 8);
      withData.put(jobId, t);
      withDataOrder.addLast(jobId);
      while (withDataOrder.size() > MAX_JOBS_WITH_DATA) {
        withData.remove(withDataOrder.removeFirst());
      }
    } else if (!jobId.equals(withDataOrder.peekLast())) {
      withDataOrder.remove(jobId);
      withDataOrder.addLast(jobId);
    }
    t.record(map, attempt, k.partitions, k.nonEmptyPartitions());
  }

  /**
   * Which maps of job {@code jobId} are known to have data in which partitions (recorded as
   * their indexes are put with their refs), or null when none is.
   */
  public MapsWithData mapsWithData(String jobId) {
    return withData.get(jobId);
  }

  private Kept put(String indexFile, Kept k, int mapIndex) {
    k.lastUse = ++clock;
    Kept old = kept.remove(indexFile);
    if (old != null) {
      release(old);
      used -= old.bytes();
      unmap(old);
    }
    if (k.bytes() > budget) {
      return k;
    }
    kept.put(indexFile, k);
    if (k.attempt != null && mapIndex >= 0) {
      ByMap t = byJob.computeIfAbsent(k.attempt.jobId(), j -> new ByMap(Math.max(16, mapIndex + 1)));
      Kept[] a = t.byMap;
      if (mapIndex >= a.length) {
        a = Arrays.copyOf(a, Math.max(mapIndex + 1, a.length * 2));
      }
      if (a[mapIndex] == null) {
        t.count++;
      }
      a[mapIndex] = k;
      t.byMap = a; // publishes the element too (a volatile write after it)
    }
    used += k.bytes();
    if (used > budget) {
      dropLeastRecentlyUsed(indexFile);
    }
    return k;
  }

  private record Use(String name, Kept kept, long lastUse) {}

  private void dropLeastRecentlyUsed(String justPut) {
    long target = Math.min(budget - kept.get(justPut).bytes(), (long) (budget * REFILL));
    // Last uses read once: lookups go on meanwhile, and a sort must see fixed keys.
    List<Use> all = new ArrayList<>(kept.size());
    kept.forEach((name, k) -> all.add(new Use(name, k, k.lastUse)));
    all.sort(Comparator.comparingLong(Use::lastUse));
    for (Use u : all) {
      if (used <= target) {
        break;
      }
      if (u.name().equals(justPut)) {
        continue;
      }
      release(u.kept());
      kept.remove(u.name());
      unmap(u.kept());
      used -= u.kept().bytes();
      evictions++;
    }
  }

  /** Takes {@code k} out of its job's array (under the lock); the array goes with its last. */
  private void unmap(Kept k) {
    if (k.attempt == null) {
      return;
    }
    ByMap t = byJob.get(k.attempt.jobId());
    if (t == null) {
      return;
    }
    Kept[] a = t.byMap;
    int m = k.attempt.taskIndex();
    if (m >= 0 && m < a.length && a[m] == k) {
      a[m] = null;
      t.byMap = a;
      if (--t.count == 0) {
        byJob.remove(k.attempt.jobId());
        LastJob last = lastJob;
        if (last != null && last.table() == t) {
          lastJob = null; // the job's next array is another
        }
      }
    }
  }

  /**
   * The kept index of {@code ref}'s output, or null: first from its job's array by map index
   * (the same attempt and data file), else as {@link #get(String, String)}.
   */
  public Kept get(MapOutputRef ref) {
    Kept k = byMap(ref);
    if (k == null) {
      return get(ref.indexFile(), ref.dataFile());
    }
    hits.increment();
    touch(k);
    return k;
  }

  /** As {@link #get(MapOutputRef)}, without counting a hit or a miss. */
  public Kept peek(MapOutputRef ref) {
    Kept k = byMap(ref);
    return k != null ? k : peek(ref.indexFile(), ref.dataFile());
  }

  private Kept byMap(MapOutputRef ref) {
    ByMap t = byJob.get(ref.attempt().jobId());
    if (t == null) {
      return null;
    }
    Kept[] a = t.byMap;
    int m = ref.mapIndex();
    if (m < 0 || m >= a.length) {
      return null;
    }
    Kept k = a[m];
    return k != null && k.attempt.equals(ref.attempt()) && k.dataName.equals(ref.dataFile())
        ? k : null;
  }

  /**
   * As {@link #get(MapOutputRef)} for {@code ref}, an output of job {@code jobId}'s maps (a
   * reduce of that job asks): found by the job, the map index and the attempt's number only, so
   * that none of the ref's strings is read (a reduce asks this of each of its job's maps, whose
   * refs' strings are cold in the cache). Null when not kept so; the caller then asks by ref.
   */
  public Kept get(String jobId, MapOutputRef ref) {
    return get(jobId, ref.mapIndex(), ref.attempt().attempt());
  }

  /**
   * As {@link #get(String, MapOutputRef)} for the output of attempt number {@code attempt} of
   * job {@code jobId}'s map {@code map}: a reduce that has both from its feed's arrays reads no
   * ref at all (two cold objects per map, the ref and its attempt).
   */
  public Kept get(String jobId, int map, int attempt) {
    Kept k = byMapOf(jobId, map, attempt);
    if (k != null) {
      hits.increment();
      touch(k);
    }
    return k;
  }

  /** As {@link #get(String, MapOutputRef)}, without counting a hit. */
  public Kept peek(String jobId, MapOutputRef ref) {
    return byMapOf(jobId, ref.mapIndex(), ref.attempt().attempt());
  }

  /** Marks {@code k} used now, writing it only when that changes it (racy, as the clock is). */
  private void touch(Kept k) {
    long now = clock;
    if (k.lastUse != now) {
      k.lastUse = now;
    }
  }

  /** The last job asked for by {@link #get(String, int, int)}, with its array (racy). */
  private volatile LastJob lastJob;

  private record LastJob(String jobId, ByMap table) {}

  private Kept byMapOf(String jobId, int m, int attempt) {
    LastJob last = lastJob;
    ByMap t;
    if (last != null && last.jobId().equals(jobId)) {
      t = last.table();
    } else {
      t = byJob.get(jobId);
      if (t == null) {
        return null;
      }
      lastJob = new LastJob(jobId, t);
    }
    Kept[] a = t.byMap;
    if (m < 0 || m >= a.length) {
      return null;
    }
    Kept k = a[m];
    return k != null && k.attemptNumber == attempt ? k : null;
  }

  /** Jobs with indexes kept by map index (each holds an array while it has one). */
  int jobsByMap() {
    return byJob.size();
  }

  /** The most bytes kept. */
  public long budget() {
    return budget;
  }

  /** As {@link #get}, without counting a hit or a miss. */
  public Kept peek(String indexFile, String dataFile) {
    Kept k = kept.get(indexFile);
    return k == null || !k.dataName.equals(dataFile) ? null : k;
  }

  /** Bytes of indexes kept now (within the budget). */
  public synchronized long bytesUsed() {
    return used;
  }

  /** Indexes kept now. */
  public int size() {
    return kept.size();
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Indexes dropped to stay within the budget. */
  public synchronized long evictions() {
    return evictions;
  }
}
