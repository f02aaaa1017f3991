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
 * index, a missing data file, or a data file too short for the partition is a lost map output.
 */
public final class LocalShuffleSource implements ShuffleSource, InPlaceSource {
  /** Past this many, the checked indexes are forgotten (and checked again when next read). */
  private static final int MAX_CHECKED = 65_536;

  /**
   * The index files read and checked whole, with the size and time they had then. A reduce
   * reads one entry of every map output's index, so with M maps and R reduces each index is read
   * R times: checking the whole file (R entries and a checksum over them) each time made the
   * shuffle's cost grow as M x R x R. Once an index passed, later reads of the same unchanged
   * file (same size and modification time; map outputs are written once, by rename) read just
   * the entry they need.
   */
  private final Map<Path, Checked> checked = new ConcurrentHashMap<>();

  private record Checked(long size, FileTime modified, boolean compressed, int partitions) {}

  @Override
  public Location locate(MapOutputRef output, int partition) throws IOException {
    Path indexFile = Path.of(output.indexFile());
    IndexEntry e;
    boolean compressed;
    try {
      BasicFileAttributes attrs = Files.readAttributes(indexFile, BasicFileAttributes.class);
      Checked c = checked.get(indexFile);
      if (c != null && c.size() == attrs.size() && c.modified().equals(attrs.lastModifiedTime())) {
        if (partition < 0 || partition >= c.partitions()) {
          throw new MapOutputLostException(output, partition,
              "the index has " + c.partitions() + " partitions");
        }
        try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ)) {
          e = PartitionIndex.readEntry(ch, indexFile, partition, c.partitions());
        }
        compressed = c.compressed();
      } else {
        PartitionIndex index = PartitionIndex.read(indexFile);
        if (partition < 0 || partition >= index.partitions()) {
          throw new MapOutputLostException(output, partition,
              "the index has " + index.partitions() + " partitions");
        }
        if (checked.size() >= MAX_CHECKED) {
          checked.clear();
        }
        checked.put(indexFile, new Checked(attrs.size(), attrs.lastModifiedTime(),
            index.compressed(), index.partitions()));
        e = index.entry(partition);
        compressed = index.compressed();
      }
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "index file " + output.indexFile() + " does not exist");
    } catch (MapOutputLostException ex) {
      throw ex;
    } catch (IOException ex) {
      throw new MapOutputLostException(output, partition, ex.getMessage());
    }
    Path data = Path.of(output.dataFile());
    long size;
    try {
      size = Files.size(data);
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "data file " + output.dataFile() + " does not exist");
    }
    if (size < e.offset() + e.storedLength()) {
      throw new MapOutputLostException(output, partition, "data file is truncated: " + size
          + " bytes, the partition ends at " + (e.offset() + e.storedLength()));
    }
    return new Location(data, e.offset(), e.storedLength(), e.rawLength(), e.crc(), compressed);
  }

  @Override
  public Segment open(MapOutputRef output, int partition) throws IOException {
    Location at = locate(output, partition);
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
