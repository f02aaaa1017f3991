package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.cluster.WorkerProcessConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unsafe-allow-private-bind}: off by default (loopback only, as ClusterConfigTest checks);
 * on, it admits RFC 1918 IPv4 addresses and nothing else: no public address, no wildcard.
 */
class PrivateBindConfigTest {
  @TempDir Path tmp;

  private static MasterProcessConfig master(String peer, String http, boolean allow) {
    return MasterProcessConfig.from(ConfigFactory.parseString("""
        quern.master { id = m1, data = /tmp/never-created, peers { m1 = "%s" }, http = "%s",
          unsafe-allow-private-bind = %s }
        """.formatted(peer, http, allow)));
  }

  private static WorkerProcessConfig worker(String host, String masters, boolean allow) {
    return WorkerProcessConfig.from(ConfigFactory.parseString("""
        quern.worker { masters = ["%s"], master-http = ["%s"], data = /tmp/never-created,
          host = "%s", unsafe-allow-private-bind = %s }
        """.formatted(masters, masters, host, allow)));
  }

  @Test
  void offByDefault() {
    assertFalse(MasterProcessConfig.defaults().getBoolean("quern.master."
        + Loopback.ALLOW_PRIVATE_KEY));
    assertFalse(WorkerProcessConfig.defaults().getBoolean("quern.worker."
        + Loopback.ALLOW_PRIVATE_KEY));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> master("10.1.2.3:7101", "10.1.2.3:0", false));
    assertTrue(e.getMessage().startsWith(Loopback.REFUSAL), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> worker("10.1.2.254", "10.1.2.3:7101",
        false));
  }

  @Test
  void onItAdmitsEachPrivateRangeAndLoopback() {
    for (String a : List.of("10.231.0.1", "172.16.0.1", "172.31.255.1", "192.168.7.1",
        "127.0.0.1")) {
      MasterProcessConfig m = master(a + ":7101", a + ":0", true);
      assertEquals(a, m.raft().host());
      assertEquals(a, m.http().host());
      WorkerProcessConfig w = worker(a, a + ":7101", true);
      assertEquals(a, w.host());
      assertTrue(w.allowPrivateBind());
      assertEquals(List.of(a + ":7101"), w.masterHttp());
    }
    assertFalse(worker("127.0.0.1", "127.0.0.1:7101", false).allowPrivateBind());
  }

  @Test
  void onItStillRefusesPublicAndWildcardAddresses() {
    for (String a : List.of("8.8.8.8", "0.0.0.0", "172.32.0.1", "100.64.0.1", "169.254.1.1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> master("10.0.0.1:7101", a + ":0", true), a);
      assertTrue(e.getMessage().contains("(--http is " + a + "); "
          + Loopback.ALLOW_PRIVATE_KEY + " admits RFC 1918 addresses only"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> worker(a, "10.0.0.1:7101", true), a);
      assertThrows(IllegalArgumentException.class, () -> worker("10.0.0.254", a + ":7101", true),
          a);
    }
  }

  @Test
  void theFlagsSetTheKeyAndTheCommandsStillRefuseAPublicAddress() {
    CliRun printed = CliRun.of("worker", "--masters", "10.1.2.3:7101",
        "--unsafe-allow-private-bind", "--print-config");
    assertEquals(0, printed.exitCode(), printed::toString);
    assertTrue(ConfigFactory.parseString(printed.out()).getBoolean("quern.worker."
        + Loopback.ALLOW_PRIVATE_KEY), printed::toString);
    CliRun run = CliRun.of("master", "--id", "m1", "--data", tmp.resolve("m1").toString(),
        "--peers", "m1=10.1.2.3:7101", "--http", "8.8.8.8:80", "--unsafe-allow-private-bind");
    assertEquals(2, run.exitCode(), run::toString);
    assertTrue(run.err().contains("(--http is 8.8.8.8); " + Loopback.ALLOW_PRIVATE_KEY
        + " admits RFC 1918 addresses only"), run::toString);
    assertFalse(Files.exists(tmp.resolve("m1")), "refused before creating anything");
  }
}
