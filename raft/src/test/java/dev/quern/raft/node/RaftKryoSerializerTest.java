package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import dev.quern.raft.RaftConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The wire format: every message type survives it, its bytes are pinned (a version byte, fixed codes
 * for message types and entry types, never ordinals), and anything it does not know is refused.
 */
class RaftKryoSerializerTest {

  private final RaftKryoSerializer serializer = new RaftKryoSerializer(null);

  private static final long BIG = Long.MAX_VALUE;

  /** At least one of each message type, with edge values (0, the largest long, -1 for an unknown term). */
  private static List<Message> samples() {
    List<Entry> entries = new ArrayList<>(List.of(
        new Entry(3, 7, EntryType.NORMAL, new byte[] {1, 2, 3}),
        new Entry(3, 8, EntryType.NO_OP, new byte[0]),
        new Entry(4, 9, EntryType.CONF_CHANGE, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 5}),
        new Entry(BIG, BIG, EntryType.NORMAL, new byte[300])));
    Membership membership = new Membership(List.of(1L, 2L, 3L), List.of(4L),
        java.util.Map.of(1L, "pekko://sys@127.0.0.1:25520/user/raft", 4L, "ünïcode-addr"));
    return List.of(
        new Message.AppendEntries(1, 2, 4, 6, 3, entries, 5),
        new Message.AppendEntries(1, 2, 4, 9, -1, new ArrayList<>(), 9),
        new Message.AppendResponse(2, 1, 4, 6, true, 4, 2),
        new Message.AppendResponse(2, 1, 4, 6, false, 0, 0),
        new Message.Heartbeat(1, 2, 4, 9, 77),
        new Message.HeartbeatResponse(2, 1, 4, 77),
        new Message.RequestVote(3, 1, 5, 9, 4, true, false),
        new Message.RequestVote(3, 1, 5, 9, 4, false, true),
        new Message.VoteResponse(1, 3, 5, true, false),
        new Message.VoteResponse(1, 3, 5, false, true),
        new Message.InstallSnapshot(1, 2, 4, 100, 3, membership, 512, new byte[] {9, 8, 7}, true),
        new Message.InstallSnapshot(1, 2, 4, 100, 3, Membership.EMPTY, 0, new byte[0], false),
        new Message.InstallSnapshot(1, 2, 4, 100, 3, new Membership(List.of(1L), List.of()), 0, new byte[0], false),
        new Message.InstallSnapshotResponse(2, 1, 4, 100, 515),
        new Message.SnapshotDone(2, 1, 4, 100),
        new Message.StaleTerm(2, 1, BIG),
        new Message.TimeoutNow(1, 3, 4),
        new Message.Heartbeat(1, 2, 4, 9, -3), // a leader's context for a read a follower forwarded
        new Message.Propose(2, 1, 4, new byte[] {5, 6, 7}),
        new Message.Propose(2, 1, 4, new byte[0]),
        new Message.Propose(2, 1, 4, BIG, new byte[] {1}),
        new Message.ProposeResponse(1, 2, 4, BIG, 12),
        new Message.ProposeResponse(1, 2, 4, 3, 0),
        new Message.ReadIndexRequest(2, 1, 4, 77),
        new Message.ReadIndexResponse(1, 2, 4, 77, 12));
  }

  @Test
  void everyMessageTypeRoundTrips() {
    Set<Class<?>> covered = new HashSet<>();
    for (Message m : samples()) {
      byte[] bytes = serializer.toBinary(new RaftNodeActor.Inbound(m));
      Object back = serializer.fromBinary(bytes);
      assertThat(back).isInstanceOf(RaftNodeActor.Inbound.class);
      assertThat(((RaftNodeActor.Inbound) back).message()).usingRecursiveComparison().isEqualTo(m);
      assertThat(bytes[0]).as("version byte of %s", m).isEqualTo((byte) RaftWireFormat.VERSION);
      covered.add(m.getClass());
    }
    assertThat(covered).containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
  }

  @Test
  void bytesArePinned() {
    // version 2, code 3 (Heartbeat), from 1, to 2, term 3, commit 4, context 5: one byte each as varints.
    assertThat(serializer.toBinary(new RaftNodeActor.Inbound(new Message.Heartbeat(1, 2, 3, 4, 5))))
        .containsExactly(2, 3, 1, 2, 3, 4, 5);
    // A forwarded proposal: code 12, from 2, to 1, term 3, id 9, command length 1, the command.
    assertThat(RaftWireFormat.encode(new Message.Propose(2, 1, 3, 9, new byte[] {7})))
        .containsExactly(2, 12, 2, 1, 3, 9, 1, 7);
    // Its answer: code 15, from 1, to 2, term 3, id 9, index 6.
    assertThat(RaftWireFormat.encode(new Message.ProposeResponse(1, 2, 3, 9, 6)))
        .containsExactly(2, 15, 1, 2, 3, 9, 6);
    // A chunk's membership: voters (1: node 1), learners (0), addresses (1: node 1, "ab").
    assertThat(RaftWireFormat.encode(new Message.InstallSnapshot(1, 2, 3, 4, 3,
        new Membership(List.of(1L), List.of(), java.util.Map.of(1L, "ab")), 0, new byte[] {5}, true)))
        .containsExactly(2, 7, 1, 2, 3, 4, 3, 1, 1, 0, 1, 1, 2, 'a', 'b', 0, 1, 5, 1);
    // Entry types travel as their codes: NORMAL 0, CONF_CHANGE 1, NO_OP 2.
    Message append = new Message.AppendEntries(1, 2, 3, 0, 0, new ArrayList<>(List.of(
        new Entry(3, 1, EntryType.NO_OP, new byte[0]),
        new Entry(3, 2, EntryType.CONF_CHANGE, new byte[] {7}),
        new Entry(3, 3, EntryType.NORMAL, new byte[] {8, 9}))), 0);
    assertThat(RaftWireFormat.encode(append)).containsExactly(
        2, 1, 1, 2, 3, 0, 0, 0, 3,
        3, 1, 2, 0,
        3, 2, 1, 1, 7,
        3, 3, 0, 2, 8, 9);
    // Every code is distinct.
    Set<Integer> codes = new HashSet<>();
    for (Message m : samples()) {
      codes.add(RaftWireFormat.encode(m)[1] & 0xff);
    }
    assertThat(codes).hasSize(Message.class.getPermittedSubclasses().length);
  }

  @Test
  void unknownVersionIsRefused() {
    byte[] bytes = RaftWireFormat.encode(new Message.TimeoutNow(1, 2, 3));
    bytes[0] = 1; // the layout before addresses and proposal ids
    assertThatThrownBy(() -> serializer.fromBinary(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown format version 1 (this node reads version 2 only)");
    bytes[0] = 3;
    assertThatThrownBy(() -> serializer.fromBinary(bytes)).hasMessageContaining("unknown format version 3");
  }

  @Test
  void unknownCodesAndMalformedBytesAreRefused() {
    byte[] code = RaftWireFormat.encode(new Message.TimeoutNow(1, 2, 3));
    code[1] = 99;
    assertThatThrownBy(() -> serializer.fromBinary(code)).hasMessageContaining("unknown message code 99");

    byte[] entryType = RaftWireFormat.encode(new Message.AppendEntries(1, 2, 3, 0, 0,
        new ArrayList<>(List.of(new Entry(3, 1, EntryType.NORMAL, new byte[] {5}))), 0));
    entryType[11] = 7; // the entry's type code
    assertThatThrownBy(() -> serializer.fromBinary(entryType)).hasMessageContaining("unknown entry type code 7");

    byte[] flags = RaftWireFormat.encode(new Message.VoteResponse(1, 2, 3, false, false));
    flags[flags.length - 1] = 4;
    assertThatThrownBy(() -> serializer.fromBinary(flags)).hasMessageContaining("unknown flag bits 100");

    byte[] whole = RaftWireFormat.encode(samples().get(0));
    assertThatThrownBy(() -> serializer.fromBinary(Arrays.copyOf(whole, whole.length - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raft wire");
    assertThatThrownBy(() -> serializer.fromBinary(Arrays.copyOf(whole, whole.length + 1)))
        .hasMessageContaining("1 unexpected bytes");
    assertThatThrownBy(() -> serializer.fromBinary(new byte[] {1}))
        .hasMessageContaining("at least 2 bytes");
  }

  @Test
  void anAddressOfANonMemberIsRefused() {
    byte[] bytes = RaftWireFormat.encode(new Message.InstallSnapshot(1, 2, 3, 4, 3,
        new Membership(List.of(1L), List.of(), java.util.Map.of(1L, "ab")), 0, new byte[] {5}, true));
    bytes[11] = 7; // the address's node id: 7 is not a member
    assertThatThrownBy(() -> serializer.fromBinary(bytes)).hasMessageContaining("address for node 7, which is not a member");
  }

  @Test
  void onlyInboundIsWritten() {
    assertThatThrownBy(() -> serializer.toBinary(new java.util.HashMap<String, String>()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.util.HashMap");
  }

  @Test
  void anAppendTakesAtMostItsHeaderPlusItsEntriesSizes() {
    // The worst case for variable-length numbers: every long at its largest.
    List<Entry> entries = new ArrayList<>();
    long sizes = 0;
    for (int i = 0; i < 10; i++) {
      Entry e = new Entry(BIG, BIG, EntryType.NORMAL, new byte[i * 1000]);
      entries.add(e);
      sizes += e.size();
    }
    Message m = new Message.AppendEntries(BIG, BIG, BIG, BIG, BIG, entries, BIG);
    assertThat((long) RaftWireFormat.encode(m).length).isLessThanOrEqualTo(RaftWireFormat.headerBytes(m) + sizes);
    Membership members = new Membership(List.of(BIG, BIG - 1, BIG - 2), List.of(BIG - 3), java.util.Map.of(
        BIG, "pekko://master@127.0.0.1:25520/user/raft", BIG - 3, "é".repeat(dev.quern.raft.ConfChange.MAX_ADDRESS_BYTES / 2)));
    Message chunk = new Message.InstallSnapshot(BIG, BIG, BIG, BIG, BIG, members, Integer.MAX_VALUE, new byte[4096], true);
    assertThat(RaftWireFormat.encode(chunk).length).isLessThanOrEqualTo(RaftWireFormat.headerBytes(chunk) + 4096);
  }

  @Test
  void defaultsFitArterysDefaultFrame() {
    long frame = 256 * 1024; // pekko.remote.artery.advanced.maximum-frame-size in Pekko's reference.conf
    RaftWire.checkFitsFrame(RaftConfig.defaults(1), frame);
    RaftConfig tooBig = RaftConfig.builder(1).maxBytesPerMessage(250 * 1024).build();
    assertThatThrownBy(() -> RaftWire.checkFitsFrame(tooBig, frame))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytesPerMessage 256000 does not fit");
  }
}
