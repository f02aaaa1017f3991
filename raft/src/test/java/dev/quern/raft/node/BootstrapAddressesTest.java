package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Membership;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftStatus;
import dev.quern.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A founder whose static peers name every founding voter (itself included) writes their addresses
 * into the founding entries, and the monitor publishes the configuration with them; with peers
 * that do not name every founder the entries carry none, as before.
 */
class BootstrapAddressesTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private final ActorTestKit kit = ActorTestKit.create("bootstrap-addresses");

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private Membership founded(long id, Map<Long, String> peers, String name) {
    RaftMonitor monitor = new RaftMonitor();
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(id),
        Duration.ofMillis(20), peers, List.of(id), 1, 0, monitor);
    kit.spawn(RaftNodeActor.create(settings, InMemoryRaftPersistence::new, TextLog::new), name);
    Await.until(BOUND, name + " leads", () -> monitor.status().map(RaftStatus::isLeader)
        .orElse(false));
    return monitor.membership().orElseThrow();
  }

  @Test
  void foundersNamedInPeersAreLoggedWithTheirAddresses() {
    String self = "pekko://bootstrap-addresses/user/a?master=m1";
    Membership m = founded(7, Map.of(7L, self), "a");
    assertThat(m.voters()).containsExactly(7L);
    assertThat(m.address(7)).contains(self);
  }

  @Test
  void peersThatDoNotNameEveryFounderGiveNoAddresses() {
    Membership m = founded(1, Map.of(), "b");
    assertThat(m.voters()).containsExactly(1L);
    assertThat(m.addresses()).isEmpty();
  }
}
