package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * How the store makes a file (or a directory) durable. Every force the store does goes through
 * here, so that a test can make one fail; production uses {@link #FORCE}.
 *
 * <pre>{@code new RaftLogStore.Options(64 << 20, (channel, file, metadata) -> { throw new IOException("EIO"); })}</pre>
 */
@FunctionalInterface
public interface Fsync {

  /** {@link FileChannel#force(boolean)}: fdatasync without metadata, fsync with it. */
  Fsync FORCE = (channel, file, metadata) -> channel.force(metadata);

  /** Forces what was written through {@code channel} (opened on {@code file}) to the device. */
  void force(FileChannel channel, Path file, boolean metadata) throws IOException;
}
