package dev.quern.worker.runner;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import dev.quern.worker.shuffle.FetchConfig;

/** The engine's data-path settings, read from the job's configuration. */
public record DataPathConfig(
    long sortBufferSize,
    boolean compress,
    boolean hashCombine,
    int foldAt,
    int combineMinSpills,
    int mergeFactor,
    long shuffleMemory,
    boolean objectCombine,
    long maxRecordSize) {

  /** Map sort buffer (serialized records plus their index), e.g. {@code 64m}. */
  public static final String SORT_BUFFER_SIZE = "quern.map.sort-buffer-size";
  /**
   * LZ4-compress spills, map output and reduce merge passes. Off by default: a local shuffle
   * never crosses a network, and on TeraSort's records LZ4 took about a third of the data path's
   * CPU to halve bytes that stay in the page cache.
   */
  public static final String COMPRESS = "quern.map.output.compress";
  /** Aggregate values of equal keys in a hash table before the sort when a combiner is set. */
  public static final String HASH_COMBINE = "quern.map.combine.hash";
  /** With hash combining, fold a key's values through the combiner when this many pile up. */
  public static final String FOLD_AT = "quern.map.combine.fold-at";
  /**
   * With hash combining, keep map output as objects (folded through the combiner on the objects,
   * serialized at spill) when its key and value classes are immutable built-in types (String,
   * Long, Integer, Double) sorted in byte order.
   */
  public static final String OBJECT_COMBINE = "quern.map.combine.objects";
  /** Run the combiner again while merging spills when there are at least this many. */
  public static final String COMBINE_MIN_SPILLS = "quern.map.combine.min-spills";
  /**
   * Most sorted runs merged at once, on both sides: a map's spills and a reduce's map outputs
   * (Hadoop's {@code mapreduce.task.io.sort.factor}); more are merged in passes through scratch
   * files. Each run merged at once holds a file and a read buffer (256 KiB, 64 KiB compressed),
   * so 64 costs at most 16 MiB and 64 files, and a map spills 64 times (8 GiB of output with
   * the default sort buffer) before it needs a pass; Hadoop's default of 10 would add passes to
   * jobs that do not need them.
   */
  public static final String SORT_FACTOR = "quern.sort.factor";
  /** The former name of {@link #SORT_FACTOR}, when it covered reduce tasks only; still read. */
  public static final String OLD_MERGE_FACTOR = "quern.reduce.merge-factor";
  /** {@link #SORT_FACTOR} under the constant's former name. */
  public static final String MERGE_FACTOR = SORT_FACTOR;
  public static final int DEFAULT_SORT_FACTOR = 64;
  /**
   * The largest serialized map output record (key plus value) a map accepts. A record larger
   * than the sort buffer is spilled on its own; one larger than this fails the attempt, naming
   * the input and this key, before the engine allocates for it.
   */
  public static final String MAX_RECORD_SIZE = "quern.map.max-record-size";
  /** Fetched map output kept in memory by a reduce; the rest goes to scratch files. */
  public static final String SHUFFLE_MEMORY = "quern.reduce.shuffle-memory";

  /**
   * Large enough that a default 64 MiB split (up to 10% more for a file's last one) of records of
   * 40 bytes or more sorts in one spill, which is renamed into the map output instead of merged.
   * The buffer grows as records arrive, so small tasks do not allocate it all. It is the most a
   * default buffer takes: {@link TaskMemory} gives each slot less under a small heap.
   */
  public static final long DEFAULT_SORT_BUFFER = 128L << 20;
  public static final boolean DEFAULT_COMPRESS = false;
  public static final long DEFAULT_SHUFFLE_MEMORY = 64L << 20;

  /** The settings before {@link #OBJECT_COMBINE}, which is then on. */
  public DataPathConfig(long sortBufferSize, boolean compress, boolean hashCombine, int foldAt,
      int combineMinSpills, int mergeFactor, long shuffleMemory) {
    this(sortBufferSize, compress, hashCombine, foldAt, combineMinSpills, mergeFactor,
        shuffleMemory, true);
  }

  /** The settings before {@link #MAX_RECORD_SIZE}, which then has its default. */
  public DataPathConfig(long sortBufferSize, boolean compress, boolean hashCombine, int foldAt,
      int combineMinSpills, int mergeFactor, long shuffleMemory, boolean objectCombine) {
    this(sortBufferSize, compress, hashCombine, foldAt, combineMinSpills, mergeFactor,
        shuffleMemory, objectCombine, defaultMaxRecordSize());
  }

  /**
   * An eighth of the heap, at most 1 GiB: reading, serializing and spilling a record takes a
   * few copies of it at once (the reader's line, the object, the serialized bytes while their
   * buffer doubles), so a record of an eighth of the heap still fits beside the sort buffer.
   * With {@code -Xmx1g}: 128 MiB.
   */
  public static long defaultMaxRecordSize() {
    return Math.min(Runtime.getRuntime().maxMemory() / 8, 1L << 30);
  }

  public static DataPathConfig from(Configuration conf) {
    long sort = Sizes.get(conf, SORT_BUFFER_SIZE, TaskMemory.defaultSortBuffer());
    if (sort < 1024 || sort > (1L << 31) - 1) {
      throw new IllegalArgumentException(
          SORT_BUFFER_SIZE + " must be between 1k and 2g-1, got " + sort);
    }
    String factorKey = conf.get(SORT_FACTOR) == null && conf.get(OLD_MERGE_FACTOR) != null
        ? OLD_MERGE_FACTOR : SORT_FACTOR;
    int factor = conf.getInt(factorKey, DEFAULT_SORT_FACTOR);
    if (factor < 2) {
      throw new IllegalArgumentException(factorKey + " must be at least 2, got " + factor);
    }
    long maxRecord = Sizes.get(conf, MAX_RECORD_SIZE, defaultMaxRecordSize());
    if (maxRecord < 1 || maxRecord > (1L << 31) - 1) {
      throw new IllegalArgumentException(
          MAX_RECORD_SIZE + " must be between 1 and 2g-1, got " + maxRecord);
    }
    int foldAt = conf.getInt(FOLD_AT, 256);
    if (foldAt < 2) {
      throw new IllegalArgumentException(FOLD_AT + " must be at least 2, got " + foldAt);
    }
    return new DataPathConfig(sort, conf.getBoolean(COMPRESS, DEFAULT_COMPRESS),
        conf.getBoolean(HASH_COMBINE, true), foldAt, conf.getInt(COMBINE_MIN_SPILLS, 3), factor,
        Sizes.get(conf, SHUFFLE_MEMORY, DEFAULT_SHUFFLE_MEMORY),
        conf.getBoolean(OBJECT_COMBINE, true), maxRecord);
  }

  /**
   * Checks every data-path entry of a job's configuration, so a bad value refuses the job at
   * submission instead of failing each task attempt. Throws {@link IllegalArgumentException} with
   * one line naming the key and the value.
   */
  public static void validate(Configuration conf) {
    DataPathConfig c = from(conf);
    FetchConfig.from(conf);
    if (c.combineMinSpills() < 0) {
      throw new IllegalArgumentException(COMBINE_MIN_SPILLS + " must not be negative, got "
          + c.combineMinSpills());
    }
  }
}
