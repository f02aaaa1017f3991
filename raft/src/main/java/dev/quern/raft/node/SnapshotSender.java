package dev.quern.raft.node;

import dev.quern.raft.Message;
import dev.quern.raft.Message.InstallSnapshot;
import dev.quern.raft.Message.InstallSnapshotResponse;
import dev.quern.raft.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The leader's side of snapshot transfers in the node: the core (which holds only a snapshot's
 * metadata) asks for a transfer with a data-less {@link InstallSnapshot}, again at every heartbeat
 * until the follower reports it done; this streams the stored snapshot's file from disk
 * ({@link SnapshotSource}) in chunks of {@code chunkBytes}, keeping up to {@code windowBytes} sent
 * and not acknowledged (always at least one chunk). Chunks travel as {@link InstallSnapshot} with
 * their file offset; the follower answers each with the offset it expects next.
 *
 * <p>Loss: the follower drops a chunk that is not the one it expects and answers with its offset
 * again; such a repeated answer makes this go back and resend from there (once per offset). A
 * transfer that made no progress over two of the core's requests goes back too, so a lost last
 * chunk or answer is resent. A follower that already has the snapshot's index answers its first
 * chunk with the core's {@code SnapshotDone}, which ends the transfer ({@link #done(long)}).
 *
 * <p>The transfer sends the store's current snapshot, which may be newer than the one the core
 * asked for (the core compacted again): a follower that installs it is further along, which is all
 * the core waits for. Only ever called from the actor's thread.
 */
final class SnapshotSender {

  private final long id;
  private final int chunkBytes;
  private final long windowBytes;
  private final Supplier<SnapshotSource> open;
  private final Consumer<Message> send;
  private final Consumer<Long> started;
  private final Map<Long, Transfer> transfers = new HashMap<>();

  private static final class Transfer {
    final long to;
    final long term;
    final SnapshotSource source;
    final Snapshot meta;
    long acked;
    long sent;
    long ackedAtLastRequest = -1;
    int stalls;
    long wentBackAt = -1;

    Transfer(long to, long term, SnapshotSource source) {
      this.to = to;
      this.term = term;
      this.source = source;
      this.meta = source.meta();
    }
  }

  /**
   * @param open    the store's current snapshot ({@link RaftPersistence#openSnapshot()}), or null
   * @param send    where chunks go (to the peer)
   * @param started told the length in bytes of each transfer that starts (metrics)
   */
  SnapshotSender(long id, int chunkBytes, long windowBytes, Supplier<SnapshotSource> open, Consumer<Message> send,
      Consumer<Long> started) {
    this.id = id;
    this.chunkBytes = chunkBytes;
    this.windowBytes = windowBytes;
    this.open = open;
    this.send = send;
    this.started = started;
  }

  /** The core asks for {@code request.to()} to be sent a snapshot (first time, or again at a heartbeat). */
  void request(InstallSnapshot request) {
    Transfer t = transfers.get(request.to());
    if (t != null && t.term == request.term()) {
      if (t.acked == t.ackedAtLastRequest && ++t.stalls >= 2) {
        // Nothing acknowledged over two requests: resend from the last acknowledged offset (from
        // the start if the follower had it all: its first chunk makes it say whether it is done).
        t.sent = t.acked == t.source.length() ? 0 : t.acked;
        t.acked = t.sent;
        t.stalls = 0;
        t.wentBackAt = -1;
      } else if (t.acked != t.ackedAtLastRequest) {
        t.stalls = 0;
      }
      t.ackedAtLastRequest = t.acked;
      fill(t);
      return;
    }
    if (t != null) {
      close(t);
    }
    SnapshotSource source = open.get();
    if (source == null) {
      return; // nothing stored yet; the core asks again at the next heartbeat
    }
    if (source.length() > Integer.MAX_VALUE) {
      source.close();
      throw new IllegalStateException("snapshot " + source.meta() + " is " + source.length()
          + " bytes; a transfer carries at most " + Integer.MAX_VALUE);
    }
    t = new Transfer(request.to(), request.term(), source);
    transfers.put(t.to, t);
    started.accept(source.length());
    fill(t);
  }

  /** A follower's answer: the offset it expects next. */
  void acknowledged(InstallSnapshotResponse r) {
    Transfer t = transfers.get(r.from());
    if (t == null || t.term != r.term() || t.meta.index() != r.index()) {
      return;
    }
    long next = Math.min(r.nextOffset(), t.source.length());
    if (next > t.acked) {
      t.acked = next;
      t.sent = Math.max(t.sent, next);
    } else if (next < t.acked) {
      // The follower started over (it restarted, or the file failed its checksum).
      t.acked = next;
      t.sent = next;
      t.wentBackAt = -1;
    } else if (next < t.sent && t.wentBackAt != next) {
      // Same offset again while later chunks are in flight: one was lost. Resend from there, once.
      t.sent = next;
      t.wentBackAt = next;
    }
    fill(t);
  }

  /** The follower has the snapshot (or was further along): the transfer is over. */
  void done(long follower) {
    Transfer t = transfers.remove(follower);
    if (t != null) {
      t.source.close();
    }
  }

  /** Leadership lost or the node stops: every transfer ends. */
  void cancelAll() {
    transfers.values().forEach(t -> t.source.close());
    transfers.clear();
  }

  boolean active(long follower) {
    return transfers.containsKey(follower);
  }

  /** Bytes sent and not acknowledged to {@code follower} (0 if no transfer). */
  long inflightBytes(long follower) {
    Transfer t = transfers.get(follower);
    return t == null ? 0 : t.sent - t.acked;
  }

  private void fill(Transfer t) {
    long length = t.source.length();
    while (t.sent < length
        && (t.sent == t.acked || t.sent - t.acked + Math.min(chunkBytes, length - t.sent) <= windowBytes)) {
      byte[] chunk = t.source.read(t.sent, chunkBytes);
      boolean last = t.sent + chunk.length == length;
      send.accept(new InstallSnapshot(id, t.to, t.term, t.meta.index(), t.meta.term(), t.meta.membership(),
          (int) t.sent, chunk, last));
      t.sent += chunk.length;
    }
  }

  private void close(Transfer t) {
    transfers.remove(t.to);
    t.source.close();
  }
}
