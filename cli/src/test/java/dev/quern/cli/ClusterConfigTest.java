package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster processes' configuration: file, flags, --print-config, and the loopback rule. */
class ClusterConfigTest {
  @TempDir Path tmp;

  private Path configFile() throws IOException {
    Path f = tmp.resolve("cluster.conf");
    Files.writeString(f, """
        quern.master {
          tick = 80ms
          worker-timeout = 7s
          peers { m1 = "127.0.0.1:7101", m9 = "127.0.0.1:7109" }
        }
        quern.worker {
          slots = 6
          heartbeat-interval = 300ms
          masters = ["127.0.0.1:7101"]
        }
        """);
    return f;
  }

  /** The printed HOCON, parsed back: what the process would run with. */
  private static Config printed(CliRun run) {
    assertEquals(0, run.exitCode(), run::toString);
    return ConfigFactory.parseString(run.out());
  }

  @Test
  void masterFlagsOverrideTheFileWhichOverridesTheDefaults() throws IOException {
    Config c = printed(CliRun.of("master", "--config", configFile().toString(),
        "--worker-timeout", "3s", "--id", "m1", "--data", tmp.resolve("m1").toString(),
        "--peers", "m1=127.0.0.1:7101,m2=127.0.0.1:7102,m3=127.0.0.1:7103", "--print-config"));
    assertEquals(Duration.ofSeconds(3), c.getDuration("quern.master.worker-timeout"), "the flag");
    assertEquals(Duration.ofMillis(80), c.getDuration("quern.master.tick"), "the file");
    assertEquals(10, c.getInt("quern.master.election-ticks"), "the default");
    assertEquals("m1", c.getString("quern.master.id"));
    // A flag replaces the file's object whole: m9 of the file is gone.
    assertEquals(List.of("m1", "m2", "m3"),
        c.getObject("quern.master.peers").keySet().stream().sorted().toList());
    assertFalse(c.hasPath("quern.worker"), "only the master's section");
  }

  @Test
  void theLeadersSchedulingKeysArePrintedWithTheirDefaults() throws IOException {
    Path f = tmp.resolve("scheduling.conf");
    Files.writeString(f, "quern.master.scheduler { exclude-after-jobs = 5, tick = 250ms }\n");
    Config c = printed(CliRun.of("master", "--config", f.toString(), "--id", "m1", "--data",
        tmp.resolve("m1").toString(), "--peers", "m1=127.0.0.1:7101", "--print-config"));
    assertEquals(5, c.getInt("quern.master.scheduler.exclude-after-jobs"), "the file");
    assertEquals(Duration.ofMillis(250), c.getDuration("quern.master.scheduler.tick"), "the file");
    assertEquals(Duration.ofHours(1), c.getDuration("quern.master.scheduler.exclusion-timeout"),
        "the default");
    assertEquals("", c.getString("quern.master.scheduler.takeover-grace"),
        "the default: twice worker-timeout");
  }

  @Test
  void workerFlagsOverrideTheFile() throws IOException {
    Config c = printed(CliRun.of("worker", "--config", configFile().toString(), "--slots", "3",
        "--masters", "127.0.0.1:7101,127.0.0.1:7102", "--print-config"));
    assertEquals(3, c.getInt("quern.worker.slots"), "the flag");
    assertEquals(Duration.ofMillis(300), c.getDuration("quern.worker.heartbeat-interval"), "the file");
    assertEquals(List.of("127.0.0.1:7101", "127.0.0.1:7102"), c.getStringList("quern.worker.masters"));
    assertEquals(Duration.ofSeconds(2), c.getDuration("quern.worker.leader-timeout"), "the default");
  }

  @Test
  void aMasterRefusesToBindANonLoopbackAddress() {
    for (List<String> bind : List.of(
        List.of("--peers", "m1=127.0.0.1:7101", "--http", "0.0.0.0:8080"),
        List.of("--peers", "m1=10.1.2.3:7101", "--raft", "10.1.2.3:7101"))) {
      List<String> args = new java.util.ArrayList<>(List.of("master", "--id", "m1", "--data",
          tmp.resolve("m1").toString()));
      args.addAll(bind);
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertEquals(2, run.exitCode(), run::toString);
      assertTrue(run.err().contains(dev.quern.worker.cluster.Loopback.REFUSAL), run::toString);
      assertTrue(run.err().contains("quern cluster init") && run.err().contains("--security"),
          run::toString);
      assertFalse(Files.exists(tmp.resolve("m1")), "refused before creating anything");
    }
  }

  @Test
  void aWorkerRefusesANonLoopbackAddress() {
    CliRun run = CliRun.of("worker", "--masters", "127.0.0.1:7101", "--data",
        tmp.resolve("w").toString(), "--host", "192.168.1.20");
    assertEquals(2, run.exitCode(), run::toString);
    assertTrue(run.err().contains(dev.quern.worker.cluster.Loopback.REFUSAL
        + " (--host is 192.168.1.20)"), run::toString);
    assertTrue(run.err().contains("quern cluster init --dir DIR")
        && run.err().contains("--security DIR'"), run::toString);
    assertFalse(Files.exists(tmp.resolve("w")));
  }

  @Test
  void aMasterMissingFromItsPeersIsRefused() {
    CliRun run = CliRun.of("master", "--id", "m4", "--data", tmp.resolve("m4").toString(),
        "--peers", "m1=127.0.0.1:7101,m2=127.0.0.1:7102");
    assertEquals(2, run.exitCode(), run::toString);
    assertTrue(run.err().contains("--peers must list every master, this one (m4) included"),
        run::toString);
  }
}
