package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flow control and quorum arithmetic. */
class ProgressTest {

  @Test
  void inflightWindowBoundsPipelining() {
    Progress pr = new Progress(1, 3, 1 << 20, false);
    pr.becomeReplicate();
    for (long last : new long[] {5, 10, 15}) {
      assertThat(pr.isPaused()).isFalse();
      pr.inflights.add(last, 100);
    }
    assertThat(pr.isPaused()).isTrue();
    pr.maybeUpdate(10);
    pr.inflights.freeLE(10);
    assertThat(pr.inflights.count()).isEqualTo(1);
    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void inflightWindowCountsBytes() {
    Inflights w = new Inflights(8, 1000);
    assertThat(w.fits(5000)).isTrue(); // an empty window takes any one append
    w.add(3, 600);
    assertThat(w.bytes()).isEqualTo(600);
    assertThat(w.budget()).isEqualTo(400);
    assertThat(w.fits(400)).isTrue();
    assertThat(w.fits(401)).isFalse();
    w.add(5, 400);
    assertThat(w.full()).isTrue(); // 1000 of 1000 bytes, though only 2 of 8 messages
    w.freeLE(4);
    assertThat(w.bytes()).isEqualTo(400);
    assertThat(w.count()).isEqualTo(1);
    w.freeFirstOne();
    assertThat(w.bytes()).isZero();
    assertThat(w.full()).isFalse();
    w.add(9, 10);
    w.reset();
    assertThat(w.bytes()).isZero();
    assertThat(w.count()).isZero();
  }

  @Test
  void probeSendsOneAtATimeAndBacksOffToTheHint() {
    Progress pr = new Progress(101, 8, 1 << 20, false);
    assertThat(pr.isPaused()).isFalse();
    pr.probeSent = true;
    assertThat(pr.isPaused()).isTrue();
    // Rejected at prevIndex 100; the follower's log suggests index 40.
    assertThat(pr.maybeDecrTo(100, 40)).isTrue();
    assertThat(pr.next).isEqualTo(41);
    assertThat(pr.isPaused()).isFalse();
    // A stale rejection (for a prevIndex we no longer probe) is ignored.
    assertThat(pr.maybeDecrTo(100, 10)).isFalse();
    assertThat(pr.next).isEqualTo(41);
  }

  @Test
  void replicateRejectionAboveMatchFallsBackToMatch() {
    Progress pr = new Progress(1, 8, 1 << 20, false);
    pr.maybeUpdate(20);
    pr.becomeReplicate();
    pr.next = 30;
    assertThat(pr.maybeDecrTo(15, 0)).isFalse(); // at or below match: stale
    assertThat(pr.maybeDecrTo(25, 0)).isTrue();
    assertThat(pr.next).isEqualTo(21);
  }

  @Test
  void quorumArithmetic() {
    List<Long> voters = List.of(1L, 2L, 3L, 4L, 5L);
    Map<Long, Long> match = Map.of(1L, 9L, 2L, 7L, 3L, 5L, 4L, 3L, 5L, 1L);
    assertThat(Quorum.committedIndex(voters, match::get)).isEqualTo(5);
    assertThat(Quorum.voteResult(voters, Map.of(1L, true, 2L, true))).isEqualTo(Quorum.VoteResult.PENDING);
    assertThat(Quorum.voteResult(voters, Map.of(1L, true, 2L, true, 3L, true))).isEqualTo(Quorum.VoteResult.WON);
    assertThat(Quorum.voteResult(voters, Map.of(1L, false, 2L, false, 3L, false))).isEqualTo(Quorum.VoteResult.LOST);
    assertThat(Quorum.majority(4)).isEqualTo(3);
  }

  @Test
  void readOnlyReleasesInOrder() {
    ReadOnly ro = new ReadOnly();
    ro.add(5, 1, 1);
    ro.add(6, 2, 1);
    ro.add(7, 3, 1);
    assertThat(ro.lastPendingContext()).isEqualTo(3);
    assertThat(ro.recvAck(2, 2)).containsExactlyInAnyOrder(1L, 2L);
    assertThat(ro.advance(2)).containsExactly(new ReadState(5, 1), new ReadState(6, 2));
    assertThat(ro.lastPendingContext()).isEqualTo(3);
    assertThat(ro.recvAck(2, 1)).isNull();
  }
}
