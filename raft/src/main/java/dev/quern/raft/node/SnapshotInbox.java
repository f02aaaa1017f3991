package dev.quern.raft.node;

import dev.quern.raft.Message;
import dev.quern.raft.Message.InstallSnapshot;
import dev.quern.raft.Message.InstallSnapshotResponse;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Role;
import dev.quern.raft.Snapshot;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The follower's side of snapshot transfers in the node ({@link SnapshotSender} is the leader's):
 * chunks of the leader's snapshot file, in order, go to a {@link SnapshotSink} (a temp file for the
 * WAL), each answered with the offset expected next; a chunk at any other offset is dropped and
 * answered the same way. When the last chunk is in, the sink verifies the whole file (its checksum);
 * only then does the core hear of the snapshot, as one data-less {@link InstallSnapshot}, and the
 * node installs the verified file when the core's Ready says so ({@link #take(Snapshot)}). A damaged
 * file is dropped and the leader told to start over.
 *
 * <p>Chunks are taken only from the node's current leader in its current term (the leader's
 * heartbeats make it so first); others are dropped, and the leader resends. Only ever called from
 * the actor's thread.
 */
final class SnapshotInbox {

  private final long id;
  private final BiFunction<Long, Long, SnapshotSink> sinks;
  private final Consumer<Message> send;
  private final Consumer<String> warn;
  private Receiving receiving;
  private SnapshotSink.Received completed;
  private SnapshotSink completedSink;

  private static final class Receiving {
    final long leader;
    final long leaderTerm;
    final long index;
    final long term;
    final SnapshotSink sink;

    Receiving(InstallSnapshot first, SnapshotSink sink) {
      this.leader = first.from();
      this.leaderTerm = first.term();
      this.index = first.index();
      this.term = first.snapshotTerm();
      this.sink = sink;
    }

    boolean isFor(InstallSnapshot m) {
      return m.from() == leader && m.term() == leaderTerm && m.index() == index && m.snapshotTerm() == term;
    }
  }

  /**
   * @param sinks where a snapshot (index, term) is written ({@link RaftPersistence#receiveSnapshot})
   * @param send  answers to the leader
   * @param warn  told why a received file was refused
   */
  SnapshotInbox(long id, BiFunction<Long, Long, SnapshotSink> sinks, Consumer<Message> send, Consumer<String> warn) {
    this.id = id;
    this.sinks = sinks;
    this.send = send;
    this.warn = warn;
  }

  /**
   * A chunk from a leader. Returns what to step into the core (the data-less snapshot once the file
   * is whole and verified, or at once if the core already has its index), or null.
   */
  InstallSnapshot chunk(InstallSnapshot m, RaftCore core) {
    if (core.role() != Role.FOLLOWER || core.term() != m.term() || core.leader() != m.from()) {
      return null;
    }
    InstallSnapshot announce = new InstallSnapshot(m.from(), m.to(), m.term(), m.index(), m.snapshotTerm(),
        m.membership(), 0, new byte[0], true);
    if (m.index() <= core.commitIndex()) {
      discardReceiving(); // the core answers SnapshotDone: we have that far already
      return announce;
    }
    if (receiving == null || !receiving.isFor(m)) {
      if (m.offset() != 0) {
        answer(m, 0);
        return null;
      }
      discardReceiving();
      receiving = new Receiving(m, sinks.apply(m.index(), m.snapshotTerm()));
    }
    long expected = receiving.sink.size();
    if (m.offset() != expected) {
      answer(m, expected);
      return null;
    }
    receiving.sink.write(m.chunk());
    answer(m, receiving.sink.size());
    if (!m.done()) {
      return null;
    }
    SnapshotSink sink = receiving.sink;
    receiving = null;
    SnapshotSink.Received r;
    try {
      r = sink.finish();
    } catch (IllegalArgumentException e) {
      sink.discard();
      warn.accept("snapshot " + m.index() + "@" + m.snapshotTerm() + " from " + m.from() + " refused: "
          + e.getMessage());
      answer(m, 0);
      return null;
    }
    if (r.snapshot().index() != m.index() || r.snapshot().term() != m.snapshotTerm()) {
      sink.discard();
      warn.accept("snapshot from " + m.from() + " announced as " + m.index() + "@" + m.snapshotTerm()
          + " holds " + r.snapshot().index() + "@" + r.snapshot().term());
      answer(m, 0);
      return null;
    }
    discardCompleted();
    completed = r;
    completedSink = sink;
    // The core takes it from here: the node steps this and handles the Ready at once, so the
    // verified file is still here when the core asks for it to be installed.
    return new InstallSnapshot(m.from(), m.to(), m.term(), m.index(), m.snapshotTerm(), r.snapshot().membership(),
        0, new byte[0], true);
  }

  /**
   * The verified snapshot for the core's data-less {@code announced} one (same index and term), to
   * install; null if there is none (then nothing was received through here).
   */
  SnapshotSink.Received take(Snapshot announced) {
    SnapshotSink.Received r = completed;
    if (r == null || r.snapshot().index() != announced.index() || r.snapshot().term() != announced.term()) {
      return null;
    }
    completed = null;
    completedSink = null;
    return r;
  }

  /** A verified snapshot the core did not install (it had the entry already): its file goes. */
  void discardCompleted() {
    if (completedSink != null) {
      completedSink.discard();
    }
    completed = null;
    completedSink = null;
  }

  /** The node stops or restarts: a partial file goes. */
  void close() {
    discardReceiving();
    discardCompleted();
  }

  private void discardReceiving() {
    if (receiving != null) {
      receiving.sink.discard();
      receiving = null;
    }
  }

  private void answer(InstallSnapshot m, long next) {
    send.accept(new InstallSnapshotResponse(id, m.from(), m.term(), m.index(), (int) next));
  }
}
