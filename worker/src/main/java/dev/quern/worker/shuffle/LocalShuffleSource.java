package dev.quern.worker.shuffle;

import dev.quern.worker.spill.FileRangeInputStream;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RunFiles;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a partition of a map output straight from its files on this host. A missing or damaged
 * index, a missing data file, or a data file too short for the partition is a lost map output
 * (a short or missing data file is found when the partition is read and verified).
 *
 * <p>Indexes are read and checked whole once, then kept in a {@link MapOutputIndexCache} (within
 * its budget): a reduce's lookups of them touch no file, and an empty partition is answered
 * without opening anything. An index dropped from the cache is read again one entry at a time.
 */
public final class LocalShuffleSource implements ShuffleSource, InPlaceSource {
  /**
   * Bytes of map-output indexes kept in memory by default: 10,000 maps of about 100 non-empty
   * partitions each take about 33 MB, 51 MB with the data of those small outputs.
   */
  public static final long DEFAULT_INDEX_CACHE_BYTES = 64L << 20;

  /**
   * A map output whose data file is at most this long is kept in memory whole with its index
   * (within the cache's budget): a map of a few records writes a few KiB.
   */
  public static final int SMALL_OUTPUT_BYTES = 64 * 1024;

  /** Past this many, the checked indexes are forgotten (and checked again when next read). */
  private static final int MAX_CHECKED = 65_536;

  private final MapOutputIndexCache indexes;

  /**
   * The index files read and checked whole, with the size and time they had then, for those the
   * cache dropped: a later read of the same unchanged file (same size and modification time)
   * reads just the entry it needs, not the whole index again.
   */
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();

  private record Checked(long size, FileTime modified, boolean compressed, int partitions) {}

  public LocalShuffleSource() {
    this(DEFAULT_INDEX_CACHE_BYTES);
  }

  /** @param indexCacheBytes bytes of indexes kept in memory (0: none, each read from its file) */
  public LocalShuffleSource(long indexCacheBytes) {
    this.indexes = new MapOutputIndexCache(indexCacheBytes);
  }

  /** The indexes kept in memory. */
  public MapOutputIndexCache indexCache() {
    return indexes;
  }

  @Override
  public Location locate(String jobId, MapOutputRef output, int partition) throws IOException {
    MapOutputIndexCache.Kept k = indexes.get(jobId, output);
    if (k != null) {
      return at(output, partition, k);
    }
    return locate(output, partition);
  }

  @Override
  public MapOutputIndexCache.Kept kept(String jobId, int map, int attempt) {
    return indexes.get(jobId, map, attempt);
  }

  @Override
  public MapsWithData mapsWithData(String jobId) {
    return indexes.mapsWithData(jobId);
  }

  @Override
  public byte[] heldData(String jobId, MapOutputRef output) {
    MapOutputIndexCache.Kept k = indexes.peek(jobId, output);
    return k != null ? k.data() : heldData(output);
  }

  @Override
  public Location locate(MapOutputRef output, int partition) throws IOException {
    MapOutputIndexCache.Kept k = indexes.get(output);
    if (k != null) {
      return at(output, partition, k);
    }
    String name = output.indexFile();
    Path indexFile = Path.of(name);
    try {
      BasicFileAttributes attrs = Files.readAttributes(indexFile, BasicFileAttributes.class);
      Checked c = checked.get(name);
      if (c != null && c.size() == attrs.size() && c.modified().equals(attrs.lastModifiedTime())) {
        inRange(output, partition, c.partitions());
        IndexEntry e;
        try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ)) {
          e = PartitionIndex.readEntry(ch, indexFile, partition, c.partitions());
        }
        return location(Path.of(output.dataFile()), e, c.compressed());
      }
      PartitionIndex index = PartitionIndex.read(indexFile);
      inRange(output, partition, index.partitions());
      if (checked.size() >= MAX_CHECKED) {
        checked.clear();
      }
      checked.put(name, new Checked(attrs.size(), attrs.lastModifiedTime(),
          index.compressed(), index.partitions()));
      k = indexes.put(output, index, smallData(output, partition, index));
      return at(output, partition, k);
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "index file " + output.indexFile() + " does not exist");
    } catch (MapOutputLostException ex) {
      throw ex;
    } catch (IOException ex) {
      throw new MapOutputLostException(output, partition, ex.getMessage());
    }
  }

  /**
   * Keeps {@code index} (and a small output's data, read once here from the page cache) as the
   * first reduce's read would have. Left to the reads when the cache keeps nothing, already
   * holds the output, or the data file cannot be read.
   */
  @Override
  public void offer(MapOutputRef output, PartitionIndex index) {
    if (indexes.budget() == 0 || indexes.peek(output) != null) {
      return;
    }
    try {
      indexes.put(output, index, smallData(output, 0, index));
    } catch (IOException e) {
      // A reduce's read reports what is wrong with the files, with the partition it wanted.
    }
  }

  /** Small outputs, while the cache keeps anything: {@link #SMALL_OUTPUT_BYTES}. */
  @Override
  public int holdUpTo() {
    return indexes.budget() == 0 ? 0 : SMALL_OUTPUT_BYTES;
  }

  /**
   * Keeps a small output that its map did not write, within the cache's budget; its files are
   * written when it leaves the cache, or when a read wants the file rather than the bytes.
   */
  @Override
  public boolean keepUnwritten(MapOutputRef output, PartitionIndex index, byte[] data) {
    return data.length <= holdUpTo() && indexes.peek(output) == null
        && indexes.putUnwritten(output, index, data);
  }

  @Override
  public byte[] heldData(MapOutputRef output) {
    MapOutputIndexCache.Kept k = indexes.peek(output);
    return k == null ? null : k.data();
  }

  /**
   * The whole data file of a map output whose partitions end within {@link #SMALL_OUTPUT_BYTES}
   * (read once, so that no reduce opens it again); null for a larger one or with no cache.
   */
  private byte[] smallData(MapOutputRef output, int partition, PartitionIndex index)
      throws IOException {
    long end = 0;
    for (IndexEntry e : index.entries()) {
      end = Math.max(end, e.offset() + e.storedLength());
    }
    if (end > SMALL_OUTPUT_BYTES || indexes.budget() == 0) {
      return null;
    }
    byte[] data;
    try {
      data = Files.readAllBytes(Path.of(output.dataFile()));
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "data file " + output.dataFile() + " does not exist");
    }
    if (data.length < end) {
      throw new MapOutputLostException(output, partition, "data file is truncated: "
          + data.length + " bytes, the partitions end at " + end);
    }
    return data;
  }

  /**
   * Where a kept output's partition lies, for a read of its file: an output kept unwritten is
   * written first.
   */
  private static Location at(MapOutputRef output, int partition, MapOutputIndexCache.Kept k)
      throws MapOutputLostException {
    inRange(output, partition, k.partitions());
    if (k.unwritten()) {
      try {
        k.ensureWritten();
      } catch (IOException e) {
        throw new MapOutputLostException(output, partition,
            "could not write the output held in memory to its files: " + e);
      }
    }
    return k.location(k.slot(partition));
  }

  private static void inRange(MapOutputRef output, int partition, int partitions)
      throws MapOutputLostException {
    if (partition < 0 || partition >= partitions) {
      throw new MapOutputLostException(output, partition,
          "the index has " + partitions + " partitions");
    }
  }

  private static Location location(Path data, IndexEntry e, boolean compressed) {
    return new Location(data, e.offset(), e.storedLength(), e.rawLength(), e.crc(), compressed);
  }

  @Override
  public Segment open(MapOutputRef output, int partition) throws IOException {
    Location at = locate(output, partition);
    long size;
    try {
      size = Files.size(at.file());
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "data file " + output.dataFile() + " does not exist");
    }
    if (size < at.offset() + at.storedLength()) {
      throw new MapOutputLostException(output, partition, "data file is truncated: " + size
          + " bytes, the partition ends at " + (at.offset() + at.storedLength()));
    }
    FileChannel ch;
    try {
      ch = RunFiles.open(at.file());
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "data file " + output.dataFile() + " does not exist");
    }
    return new Segment(new FileRangeInputStream(ch, at.offset(), at.storedLength(), true),
        at.storedLength(), at.rawLength(), at.checksum(), at.compressed());
  }
}
