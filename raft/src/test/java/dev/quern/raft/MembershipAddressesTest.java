package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Members' addresses travel in the configuration: in the conf-change entries (versioned encoding),
 * in the configuration the core derives from them, and in snapshots, so a node restored from a
 * snapshot or sent one knows where every member is.
 */
class MembershipAddressesTest {

  private static final String A1 = "pekko://sys@127.0.0.1:25520/user/raft";
  private static final String A2 = "pekko://sys@127.0.0.1:25521/user/raft";
  private static final String A2_MOVED = "pekko://sys@127.0.0.1:25599/user/raft";

  private static RaftConfig config(long id) {
    return RaftConfig.builder(id).autoPromoteLearners(false).build();
  }

  private static void drain(RaftCore c) {
    while (c.hasReady()) {
      c.advance(c.ready());
    }
  }

  /** Node 1, the only voter, elected; its founding entry carries its address. */
  private static RaftCore soleLeader() {
    RaftCore c = RaftCore.bootstrap(config(1), List.of(1L), Map.of(1L, A1), new SplittableRandom(3));
    drain(c);
    while (!c.isLeader()) {
      c.tick();
      drain(c);
    }
    return c;
  }

  private static void commitChange(RaftCore c, ConfChange change) {
    long index = c.proposeConfChange(change);
    assertThat(index).as("%s accepted", change).isPositive();
    drain(c);
    assertThat(c.appliedIndex()).isGreaterThanOrEqualTo(index);
  }

  @Test
  void confChangeEncodingIsVersionedAndKeepsTheAddress() {
    ConfChange c = new ConfChange(ConfChange.Type.ADD_LEARNER, 7, A2);
    byte[] bytes = c.encode();
    assertThat(bytes[0]).isEqualTo((byte) ConfChange.VERSION);
    assertThat(bytes[1]).isEqualTo((byte) ConfChange.Type.ADD_LEARNER.code());
    assertThat(ConfChange.decode(bytes)).isEqualTo(c);
    assertThat(ConfChange.decode(new ConfChange(ConfChange.Type.REMOVE_NODE, 7).encode()))
        .isEqualTo(new ConfChange(ConfChange.Type.REMOVE_NODE, 7, ""));
    // The layout written before addresses (type code, id) is still read, as version 1.
    byte[] legacy = ByteBuffer.allocate(9).put((byte) 0).putLong(5).array();
    assertThat(ConfChange.decode(legacy)).isEqualTo(new ConfChange(ConfChange.Type.ADD_VOTER, 5));
    bytes[0] = 9;
    assertThatThrownBy(() -> ConfChange.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown conf change format version 9");
    assertThatThrownBy(() -> new ConfChange(ConfChange.Type.REMOVE_NODE, 7, A2))
        .hasMessageContaining("only an added member carries an address");
    assertThatThrownBy(() -> new ConfChange(ConfChange.Type.ADD_VOTER, 7, "x".repeat(ConfChange.MAX_ADDRESS_BYTES + 1)))
        .hasMessageContaining("more than " + ConfChange.MAX_ADDRESS_BYTES);
  }

  @Test
  void membershipKeepsAddressesAcrossPromotionDemotionAndRemoval() {
    Membership m = new Membership(List.of(1L), List.of(), Map.of(1L, A1))
        .apply(new ConfChange(ConfChange.Type.ADD_LEARNER, 2, A2));
    assertThat(m.address(2)).contains(A2);
    m = m.apply(new ConfChange(ConfChange.Type.ADD_VOTER, 2)); // a promotion without an address keeps it
    assertThat(m.voters()).containsExactly(1L, 2L);
    assertThat(m.address(2)).contains(A2);
    m = m.apply(new ConfChange(ConfChange.Type.DEMOTE_VOTER, 2));
    assertThat(m.address(2)).contains(A2);
    m = m.apply(new ConfChange(ConfChange.Type.ADD_VOTER, 2, A2_MOVED)); // a new address replaces it
    assertThat(m.addresses()).isEqualTo(Map.of(1L, A1, 2L, A2_MOVED));
    m = m.apply(new ConfChange(ConfChange.Type.REMOVE_NODE, 2));
    assertThat(m.addresses()).isEqualTo(Map.of(1L, A1));
    assertThatThrownBy(() -> new Membership(List.of(1L), List.of(), Map.of(3L, A2)))
        .hasMessageContaining("address for node 3, which is not a member");
  }

  @Test
  void theCoreUsesAnAddedMembersAddressAsSoonAsTheEntryIsAppended() {
    RaftCore c = soleLeader();
    assertThat(c.membership().addresses()).isEqualTo(Map.of(1L, A1));
    // Node 2 is a learner, so the single voter commits alone; append only, without draining:
    long index = c.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 2, A2));
    assertThat(index).isPositive();
    assertThat(c.commitIndex()).isLessThan(index);
    assertThat(c.membership().address(2)).contains(A2);
  }

  @Test
  void aSnapshotRestoresTheMembershipWithAddresses() {
    RaftCore leader = soleLeader();
    commitChange(leader, new ConfChange(ConfChange.Type.ADD_LEARNER, 2, A2));
    commitChange(leader, new ConfChange(ConfChange.Type.ADD_LEARNER, 3, "node-3"));
    commitChange(leader, new ConfChange(ConfChange.Type.REMOVE_NODE, 3));
    Membership expected = new Membership(List.of(1L), List.of(2L), Map.of(1L, A1, 2L, A2));
    assertThat(leader.membership()).isEqualTo(expected);

    Snapshot snap = leader.createSnapshot(leader.appliedIndex(), "image".getBytes());
    assertThat(snap.membership()).isEqualTo(expected);

    // A restart from the snapshot alone (every entry compacted away).
    RaftCore restarted = new RaftCore(config(1), new PersistentState(leader.hardState(), snap, List.of()),
        new SplittableRandom(4));
    assertThat(restarted.membership()).isEqualTo(expected);
    assertThat(restarted.membership().address(2)).contains(A2);

    // A new node sent the snapshot in one chunk learns the addresses with it.
    RaftCore fresh = new RaftCore(config(2), PersistentState.EMPTY, new SplittableRandom(5));
    fresh.step(new Message.InstallSnapshot(1, 2, leader.term(), snap.index(), snap.term(), snap.membership(), 0,
        snap.data(), true));
    Ready rd = fresh.ready();
    assertThat(rd.snapshot()).isEqualTo(snap);
    fresh.advance(rd);
    assertThat(fresh.membership().addresses()).isEqualTo(Map.of(1L, A1, 2L, A2));
  }
}
