package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.cluster.WorkerProcessConfig;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.shuffle.http.ShuffleServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process with the cluster's credentials ({@code security = DIR}) binds and dials any address;
 * without them every non-loopback address is refused with an error that names the address and
 * says to run {@code quern cluster init} and pass {@code --security}.
 */
class SecuredBindConfigTest {
  @TempDir Path tmp;
  private Path security;

  @BeforeEach
  void credentials() throws Exception {
    security = tmp.resolve("security");
    CredentialsInit.create(security, List.of("10.1.2.3", "node-a.example"));
  }

  private MasterProcessConfig master(String peer, String http, Path creds) {
    return MasterProcessConfig.from(ConfigFactory.parseString("""
        quern.master { id = m1, data = "%s", peers { m1 = "%s" }, http = "%s",
          security = "%s" }
        """.formatted(tmp.resolve("never-created"), peer, http,
        creds == null ? "" : creds.toString())));
  }

  private WorkerProcessConfig worker(String host, String masters, Path creds) {
    return WorkerProcessConfig.from(ConfigFactory.parseString("""
        quern.worker { masters = ["%s"], master-http = ["%s"], data = "%s",
          host = "%s", security = "%s" }
        """.formatted(masters, masters, tmp.resolve("never-created"), host,
        creds == null ? "" : creds.toString())));
  }

  @Test
  void withCredentialsAnyAddressIsTaken() {
    for (String a : List.of("10.1.2.3", "8.8.8.8", "0.0.0.0", "192.168.7.1")) {
      MasterProcessConfig m = master(a + ":7101", a + ":0", security);
      assertEquals(a, m.raft().host());
      assertEquals(a, m.http().host());
      assertNotNull(m.security());
      WorkerProcessConfig w = worker(a, a + ":7101", security);
      assertEquals(a, w.host());
      assertEquals(List.of(a + ":7101"), w.masterHttp());
      assertFalse(w.allowPrivateBind());
    }
    assertFalse(Files.exists(tmp.resolve("never-created")));
  }

  @Test
  void withoutCredentialsTheRefusalNamesTheAddressAndHowToSecure() {
    for (String a : List.of("10.1.2.3", "8.8.8.8", "0.0.0.0")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> master(a + ":7101", "127.0.0.1:0", null), a);
      assertTrue(e.getMessage().startsWith(Loopback.REFUSAL), e.getMessage());
      assertTrue(e.getMessage().contains("is " + a + ")"), e.getMessage());
      assertTrue(e.getMessage().contains("quern cluster init --dir DIR"), e.getMessage());
      assertTrue(e.getMessage().contains("--security DIR'"), e.getMessage());
      IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
          () -> master("127.0.0.1:7101", a + ":0", null), a);
      assertTrue(h.getMessage().contains("(--http is " + a + ")"), h.getMessage());
      IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
          () -> worker(a, "127.0.0.1:7101", null), a);
      assertTrue(w.getMessage().contains("(--host is " + a + ")")
          && w.getMessage().contains("quern cluster init"), w.getMessage());
      assertThrows(IllegalArgumentException.class, () -> worker("127.0.0.1", a + ":7101", null));
    }
    assertFalse(Files.exists(tmp.resolve("never-created")));
  }

  @Test
  void aSecuredShuffleServerBindsTheWildcardAndAnUnsecuredOneDoesNot() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShuffleServer.start("0.0.0.0", 0, data, false, new WorkerMetrics(), null));
    assertTrue(e.getMessage().contains("is 0.0.0.0") && e.getMessage().contains("--security"),
        e.getMessage());
    try (ShuffleServer s = ShuffleServer.start("0.0.0.0", 0, data, false, new WorkerMetrics(),
        ClusterCredentials.load(security))) {
      assertTrue(s.port() > 0);
      assertTrue(s.metricsUrl().startsWith("https://"), s.metricsUrl());
    }
  }
}
