package dev.quern.worker.shuffle;

import dev.quern.worker.spill.FileRangeInputStream;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a partition of a map output straight from its files on this host. A missing or damaged
 * index, a missing data file, or a data file too short for the partition is a lost map output.
 */
public final class LocalShuffleSource implements ShuffleSource {

  @Override
  public Segment open(MapOutputRef output, int partition) throws IOException {
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
    FileChannel ch;
    try {
      ch = FileChannel.open(Path.of(output.dataFile()), StandardOpenOption.READ);
    } catch (NoSuchFileException ex) {
      throw new MapOutputLostException(output, partition,
          "data file " + output.dataFile() + " does not exist");
    }
    try {
      long size = ch.size();
      if (size < e.offset() + e.storedLength()) {
        throw new MapOutputLostException(output, partition, "data file is truncated: " + size
            + " bytes, the partition ends at " + (e.offset() + e.storedLength()));
      }
    } catch (IOException ex) {
      ch.close();
      throw ex;
    }
    return new Segment(new FileRangeInputStream(ch, e.offset(), e.storedLength(), true),
        e.storedLength(), e.rawLength(), e.crc(), index.compressed());
  }
}
