package dev.quern.raft.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a {@link RaftLogStore} directory holds on disk, for an operator's page: the write-ahead
 * log's segments ({@code wal-*.log}) and the snapshot files ({@code *.snap}; a {@code .tmp} being
 * written is not counted), in files and bytes.
 * Read from the directory listing without opening the store, so any thread may ask while the node
 * runs; a file that goes away during the count (compaction) is skipped.
 *
 * @param walSegments   segment files
 * @param walBytes      their bytes (preallocation included, if the platform made any)
 * @param snapshotFiles snapshot files (the latest, and an older one until it is removed)
 * @param snapshotBytes their bytes
 */
public record StoreUsage(int walSegments, long walBytes, int snapshotFiles, long snapshotBytes) {

  public static final StoreUsage NONE = new StoreUsage(0, 0, 0, 0);

  /** The usage of store directory {@code dir}; {@link #NONE} if it does not exist yet. */
  public static StoreUsage of(Path dir) {
    int segments = 0;
    int snapshots = 0;
    long wal = 0;
    long snap = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        boolean isWal = name.startsWith("wal-") && name.endsWith(".log");
        boolean isSnap = name.endsWith(".snap");
        if (!isWal && !isSnap) {
          continue;
        }
        long size;
        try {
          size = Files.size(f);
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (isWal) {
          segments++;
          wal += size;
        } else {
          snapshots++;
          snap += size;
        }
      }
    } catch (NoSuchFileException e) {
      return NONE;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the Raft store " + dir, e);
    }
    return new StoreUsage(segments, wal, snapshots, snap);
  }
}
