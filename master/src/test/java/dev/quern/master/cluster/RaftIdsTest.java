package dev.quern.master.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.raft.ConfChange;
import dev.quern.raft.Membership;
import dev.quern.worker.cluster.Loopback.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master's Raft node id does not depend on {@code --peers} (their order, new ids sorting before
 * the old ones), stays with its data directory, and older directories keep their place numbers;
 * the members' ids and addresses come from the configuration's addresses.
 */
class RaftIdsTest {
  @TempDir Path tmp;

  private MasterProcessConfig config(String id, Path data, String... peers) {
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < peers.length; i++) {
      p.append(peers[i]).append(" = \"127.0.0.1:").append(7101 + i).append("\"\n");
    }
    return MasterProcessConfig.from(ConfigFactory.parseString("quern.master { id = " + id
        + ", data = \"" + data + "\", peers { " + p + " } }"));
  }

  @Test
  void aNewDirectoryTakesTheIdOfItsMasterIdAloneAndKeepsIt() throws IOException {
    Path data = tmp.resolve("m2");
    long first = RaftIds.settle(config("m2", data, "m1", "m2", "m3"));
    assertEquals(RaftIds.of("m2"), first);
    assertFalse(RaftIds.positional(first));
    assertTrue(first >= RaftIds.DERIVED_FROM && first < (1L << 53), Long.toString(first));
    // Restarted with other --peers: "a0" sorts first, m1 is gone; the id is the file's.
    assertEquals(first, RaftIds.settle(config("m2", data, "a0", "m2", "m3", "m4")));
    assertTrue(Files.readString(data.resolve(RaftIds.FILE)).contains("node=" + first));
  }

  @Test
  void idsAreTheSameWhateverElseIsListedAndDifferPerMaster() {
    assertEquals(RaftIds.of("m1"), RaftIds.of("m1"));
    assertNotEquals(RaftIds.of("m1"), RaftIds.of("m2"));
    assertNotEquals(RaftIds.of("a0"), RaftIds.of("m1"));
    long self = RaftIds.of("m3");
    MasterProcessConfig before = config("m3", tmp.resolve("x"), "m1", "m2", "m3");
    MasterProcessConfig after = config("m3", tmp.resolve("x"), "a0", "m1", "m2", "m3");
    for (String id : List.of("m1", "m2")) {
      assertEquals(RaftIds.peer(before.peers(), id, self), RaftIds.peer(after.peers(), id, self),
          id);
    }
  }

  @Test
  void aDirectoryWithALogFromBeforeKeepsItsPlaceInPeers() throws IOException {
    Path data = tmp.resolve("m2");
    Files.createDirectories(data.resolve("raft"));
    Files.writeString(data.resolve("raft").resolve("wal-0000.log"), "old log");
    assertEquals(2, RaftIds.settle(config("m2", data, "m1", "m2", "m3")));
    // Written down: a later --peers with an id sorting first does not move it.
    assertEquals(2, RaftIds.settle(config("m2", data, "a0", "m1", "m2", "m3")));
  }

  @Test
  void anotherMastersDirectoryIsRefusedNamingBoth() throws IOException {
    Path data = tmp.resolve("d");
    RaftIds.settle(config("m1", data, "m1", "m2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RaftIds.settle(config("m2", data, "m1", "m2")));
    assertTrue(e.getMessage().contains("belongs to master 'm1'") && e.getMessage()
        .contains("--id m2"), e.getMessage());
  }

  @Test
  void membersAreReadFromTheAddressesInTheConfiguration() {
    // m4 was not in this master's --peers: it is known from the log alone.
    MasterProcessConfig c = config("m1", tmp.resolve("m1"), "m1", "m2");
    long m1 = RaftIds.of("m1");
    long m2 = RaftIds.of("m2");
    long m4 = RaftIds.of("m4");
    HostPort m4Raft = new HostPort("127.0.0.1", 7404);
    Membership m = new Membership(List.of(m1, m2), List.of(), Map.of(
        m1, Members.address(new HostPort("127.0.0.1", 7101), "m1"),
        m2, Members.address(new HostPort("127.0.0.1", 7102), "m2")))
        .apply(new ConfChange(ConfChange.Type.ADD_LEARNER, m4, Members.address(m4Raft, "m4")));
    Members members = Members.of(c, m1, m);
    assertEquals("m4", members.masterId(m4));
    assertEquals(m4Raft, members.raftAddress("m4").orElseThrow());
    assertFalse(members.byId("m4").orElseThrow().voter());
    assertEquals(List.of("m1", "m2", "m4"), members.ids().stream().sorted().toList());
    // A master that left is still named by --peers; an unknown node by its number.
    Members after = Members.of(c, m1, m.apply(new ConfChange(ConfChange.Type.REMOVE_NODE, m2))
        .apply(new ConfChange(ConfChange.Type.ADD_VOTER, 77L << 33)));
    assertEquals("m2", after.masterId(m2));
    assertEquals("node " + (77L << 33), after.byNode(77L << 33).orElseThrow().name());
  }

  @Test
  void foundersOfAnOlderClusterAreNamedByTheirPlace() {
    // Founded before addresses were logged: voters 1..3 without addresses; m4 joined since.
    MasterProcessConfig c = config("m4", tmp.resolve("m4"), "m1", "m2", "m3", "m4");
    long m4 = RaftIds.of("m4");
    Membership m = new Membership(List.of(1L, 2L, 3L), List.of())
        .apply(new ConfChange(ConfChange.Type.ADD_VOTER, m4,
            Members.address(new HostPort("127.0.0.1", 7104), "m4")));
    Members members = Members.of(c, m4, m);
    assertEquals("m1", members.masterId(1));
    assertEquals("m3", members.masterId(3));
    assertEquals(new HostPort("127.0.0.1", 7102), members.raftAddress("m2").orElseThrow());
    assertEquals("m4", members.masterId(m4));
  }
}
