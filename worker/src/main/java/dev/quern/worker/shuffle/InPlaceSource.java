package dev.quern.worker.shuffle;

import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A shuffle source whose map outputs are files on this host: a reduce verifies a partition where
 * it lies and reads it from there, instead of copying it into memory or a scratch file.
 */
public interface InPlaceSource {

  /**
   * Whether {@code output} lies on this host, to be read in place; the others are fetched
   * through {@link dev.quern.worker.task.ShuffleSource#open}. Local mode: all of them.
   */
  default boolean holds(MapOutputRef output) {
    return true;
  }

  /**
   * Where {@code partition} of {@code output} lies. A missing or damaged index or data file is a
   * {@link dev.quern.worker.task.MapOutputLostException}.
   */
  Location locate(MapOutputRef output, int partition) throws IOException;

  /**
   * As {@link #locate(MapOutputRef, int)}, for a reduce of job {@code jobId}, the job that
   * {@code output} belongs to: a source may then find what it keeps of the output by the job and
   * its map index without reading the ref's names (a reduce asks this of every map of its job;
   * with 5,000 maps, hashing and comparing each ref's strings was a third of its time).
   */
  default Location locate(String jobId, MapOutputRef output, int partition) throws IOException {
    return locate(output, partition);
  }

  /**
   * The index (and, for a small output, the data) this source keeps in memory of the output of
   * attempt number {@code attempt} of job {@code jobId}'s map {@code map}, or null when it keeps
   * none: a reduce then reads the partition's entry there, and the data when held, from the
   * map's index and attempt number alone (as its feed has them in arrays), where {@link
   * #locate(String, MapOutputRef, int)} and {@link #heldData(String, MapOutputRef)} each read
   * the ref and its attempt (cold objects, one pair per map) and found the kept index again. The
   * caller checks the partition against {@link MapOutputIndexCache.Kept#partitions()}.
   */
  default MapOutputIndexCache.Kept kept(String jobId, int map, int attempt) {
    return null;
  }

  /**
   * Which of job {@code jobId}'s map outputs are known to have records in which partitions, or
   * null when this source knows none: a reduce counts an output known to have none for its
   * partition as fetched, without asking {@link #locate} (with M maps and R reduces, most of
   * the M x R questions are of empty partitions).
   */
  default MapsWithData mapsWithData(String jobId) {
    return null;
  }

  /**
   * A map output that a map attempt of this process has just written, with the index it wrote:
   * a source that keeps indexes may keep this one now, so that the reduces here do not read its
   * index file back (with 10,000 small maps, each reduce host's first read of every index was
   * about 8% of the job's CPU). Only a hint: what it keeps must be what a read would have kept;
   * nothing is lost when it keeps nothing.
   */
  default void offer(MapOutputRef output, PartitionIndex index) {}

  /**
   * Most stored bytes of a map output that {@link #keepUnwritten} takes; 0 (the default) when it
   * takes none, and every map output is written to its files.
   */
  default int holdUpTo() {
    return 0;
  }

  /**
   * A map output of this process whose files were not written, {@code data} being its data
   * file's bytes: a source that keeps it returns true, answers every read of it from memory, and
   * writes both files (the index last) before it lets it go, so that a read after that finds
   * them. False (the default): the map writes the files.
   */
  default boolean keepUnwritten(MapOutputRef output, PartitionIndex index, byte[] data) {
    return false;
  }

  /** As {@link #heldData(MapOutputRef)} for {@code output} of job {@code jobId}. */
  default byte[] heldData(String jobId, MapOutputRef output) {
    return heldData(output);
  }

  /**
   * The stored bytes of {@code output}'s data file when this source holds them in memory (a
   * small map output read whole once, so that each reduce's read of it opens no file); null
   * when it does not, and the partition at a {@link Location} is read from the file. The array
   * is shared: callers copy what they keep and never write to it.
   */
  default byte[] heldData(MapOutputRef output) {
    return null;
  }

  /**
   * One partition's stored bytes in a file.
   *
   * @param offset first byte in {@code file}
   * @param storedLength bytes as stored
   * @param rawLength bytes after decompression
   * @param checksum CRC32C of the stored bytes, from the index
   * @param compressed whether the bytes are LZ4-compressed blocks
   */
  record Location(Path file, long offset, long storedLength, long rawLength, int checksum,
      boolean compressed) {}
}
