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

/**
 * Reads a partition of a map output straight from its files on this host. A missing or damaged
 * index, a missing data file, or a data file too short for the partition is a lost map output.
 */
public final class LocalShuffleSource implements ShuffleSource, InPlaceSource {

  @Override
  public Location locate(MapOutputRef output, int partition) throws IOException {
    PartitionIndex index;
    try {
      index = PartitionIndex.read(Path.of(output.indexFile()));
    } catch (NoSuchFileException e) {
      throw new MapOutputLostException(output, partition,
          "index file " + output.indexFile() + " does not exist");
    } catch (IOException e) {
      throw new MapOutputLostException(output, partition, e.getMessage());
    }
    if (partition < 0 || partition >= index.partitions()) {
      throw new MapOutputLostException(output, partition,
          "the index has " + index.partitions() + " partitions");
    }
    IndexEntry e = index.entry(partition);
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
    return new Location(data, e.offset(), e.storedLength(), e.rawLength(), e.crc(),
        index.compressed());
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
