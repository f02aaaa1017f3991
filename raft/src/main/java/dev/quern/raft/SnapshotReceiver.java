package dev.quern.raft;

import java.io.ByteArrayOutputStream;

/**
 * A follower's buffer for a snapshot arriving in chunks. Chunks must arrive in order; the follower
 * answers every chunk with the offset it expects next, so the leader resends from there after a loss.
 * A snapshot from another leader or term starts a new buffer, because two leaders' images of the same
 * index need not be byte-identical.
 */
final class SnapshotReceiver {

  private final long leader;
  private final long leaderTerm;
  private final long index;
  private final long term;
  private final Membership membership;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  SnapshotReceiver(Message.InstallSnapshot first) {
    this.leader = first.from();
    this.leaderTerm = first.term();
    this.index = first.index();
    this.term = first.snapshotTerm();
    this.membership = first.membership();
  }

  boolean isFor(Message.InstallSnapshot m) {
    return m.from() == leader && m.term() == leaderTerm && m.index() == index && m.snapshotTerm() == term;
  }

  int size() {
    return bytes.size();
  }

  void append(byte[] chunk) {
    bytes.writeBytes(chunk);
  }

  Snapshot toSnapshot() {
    return new Snapshot(index, term, membership, bytes.toByteArray());
  }
}
