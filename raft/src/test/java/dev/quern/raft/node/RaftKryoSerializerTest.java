package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every Raft message survives the wire format, and nothing unregistered is accepted. */
class RaftKryoSerializerTest {

  private final RaftKryoSerializer serializer = new RaftKryoSerializer(null);

  @Test
  void everyMessageRoundTrips() {
    List<Entry> entries = new ArrayList<>(List.of(
        new Entry(3, 7, EntryType.NORMAL, new byte[] {1, 2, 3}),
        new Entry(3, 8, EntryType.NO_OP, new byte[0]),
        new Entry(4, 9, EntryType.CONF_CHANGE, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 5})));
    Membership membership = new Membership(List.of(1L, 2L, 3L), List.of(4L));
    List<Message> messages = List.of(
        new Message.AppendEntries(1, 2, 4, 6, 3, entries, 5),
        new Message.AppendEntries(1, 2, 4, 9, 4, new ArrayList<>(), 9),
        new Message.AppendResponse(2, 1, 4, 6, true, 4, 2),
        new Message.Heartbeat(1, 2, 4, 9, 77),
        new Message.HeartbeatResponse(2, 1, 4, 77),
        new Message.RequestVote(3, 1, 5, 9, 4, true, false),
        new Message.VoteResponse(1, 3, 5, true, false),
        new Message.InstallSnapshot(1, 2, 4, 100, 3, membership, 512, new byte[] {9, 8, 7}, true),
        new Message.InstallSnapshotResponse(2, 1, 4, 100, 515),
        new Message.TimeoutNow(1, 3, 4));
    for (Message m : messages) {
      RaftNodeActor.Inbound in = new RaftNodeActor.Inbound(m);
      Object back = serializer.fromBinary(serializer.toBinary(in));
      assertThat(back).isInstanceOf(RaftNodeActor.Inbound.class);
      assertThat(((RaftNodeActor.Inbound) back).message()).usingRecursiveComparison().isEqualTo(m);
    }
  }

  @Test
  void unregisteredClassesAreRefused() {
    assertThatThrownBy(() -> serializer.toBinary(new java.util.HashMap<String, String>()))
        .hasMessageContaining("not registered");
  }
}
