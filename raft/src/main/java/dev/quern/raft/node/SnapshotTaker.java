package dev.quern.raft.node;

import dev.quern.raft.Snapshot;
import dev.quern.raft.SnapshotImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Takes the node's snapshots off the actor's thread. On the actor: the core gives the snapshot's
 * metadata ({@code RaftCore.snapshotAt}) and the state machine a frozen image ({@code
 * StateMachine.snapshotImage()}), both cheap. On this taker's own thread: the image is encoded and
 * the store writes and forces it ahead ({@link RaftPersistence#writeSnapshotAhead}). The result goes
 * back to the actor as a message, and only there is the snapshot recorded in the core and saved in
 * the store (the file renamed into place, then the log compacted). One snapshot at a time.
 */
final class SnapshotTaker implements AutoCloseable {

  /** A snapshot written ahead: {@code written} is where, or null if the store writes on save. */
  record Written(Snapshot snapshot, Path written) {
  }

  private final ExecutorService executor;
  private boolean running;

  SnapshotTaker(long nodeId) {
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "raft-snapshot-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  /** Whether a snapshot is being written (the next waits until its result was handled). */
  boolean running() {
    return running;
  }

  /** Starts writing {@code meta} (data-less) with the data {@code image} writes. */
  CompletionStage<Written> start(Snapshot meta, SnapshotImage image, RaftPersistence store) {
    running = true;
    return CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        image.writeTo(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("writing the state machine's snapshot image", e);
      }
      Snapshot full = new Snapshot(meta.index(), meta.term(), meta.membership(), bytes.toByteArray());
      return new Written(full, store.writeSnapshotAhead(full));
    }, executor);
  }

  /** The result was handled (whatever it was). */
  void finished() {
    running = false;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
