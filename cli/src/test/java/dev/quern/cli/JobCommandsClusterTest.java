package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.master.client.ClusterClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern list}, {@code status} and {@code kill} against a real cluster that {@code quern
 * cluster start} launched (3 master processes): through a follower, and with dead masters in the
 * address.
 */
@Timeout(300)
class JobCommandsClusterTest {
  @TempDir Path tmp;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void killCluster() {
    Path processes = tmp.resolve("cluster").resolve(ClusterDir.PROCESSES);
    if (Files.exists(processes)) {
      new ClusterDir(processes.getParent()).read().forEach(p -> pids.add(p.pid()));
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
      });
    }
  }

  @Test
  void listAndStatusWorkThroughAFollowerAndKillReachesTheLeader() throws Exception {
    Path dir = tmp.resolve("cluster");
    List<String> start = new ArrayList<>(List.of("cluster", "start", "--masters", "3",
        "--workers", "0", "--dir", dir.toString(), "--config",
        ClusterProcessesTest.fastConfig(tmp).toString(), "--timeout", "150"));
    for (String o : ClusterProcessesTest.JVM) {
      start.add("--java-option=" + o);
    }
    CliRun started = CliRun.of(start.toArray(String[]::new));
    assertThat(started.exitCode()).as(started.toString()).isZero();
    String address = Files.readString(dir.resolve(ClusterDir.ADDRESS)).trim();

    CliRun status = CliRun.of("cluster", "status", "--dir", dir.toString(), "--json");
    String follower = null;
    String leader = null;
    long leaderPid = -1;
    for (JsonNode p : JobApiOptions.JSON.readTree(status.out()).path("processes")) {
      if (p.path("kind").asText().equals("master")) {
        if (p.path("role").asText().equals("LEADER")) {
          leader = p.path("http").asText();
          leaderPid = p.path("pid").asLong();
        } else if (follower == null) {
          follower = p.path("http").asText();
        }
      }
    }
    assertThat(follower).as(status.toString()).isNotNull();
    assertThat(leader).as(status.toString()).isNotNull();
    assertThat(address).contains(follower).contains(leader);
    int served = ClusterClient.connect("http://" + follower).get(ClusterClient.JOBS).status();
    assumeTrue(served != 404, "the masters do not serve " + ClusterClient.JOBS + " yet");

    // Only the follower in the address: it answers the GET itself, from its copy of the book.
    CliRun list = CliRun.of("list", "--master", "quern://" + follower);
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).isEqualTo("No jobs." + System.lineSeparator());
    CliRun json = CliRun.of("list", "--json", "--master", address);
    assertThat(json.exitCode()).as(json.toString()).isZero();
    assertThat(JobApiOptions.JSON.readTree(json.out()).isArray()).isTrue();
    assertThat(JobApiOptions.JSON.readTree(json.out())).isEmpty();

    CliRun unknown = CliRun.of("status", "job-4242", "--master", "quern://" + follower);
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    // A kill goes to the leader (the follower redirects); it knows no such job either.
    CliRun kill = CliRun.of("kill", "job-4242", "--master", "quern://" + follower);
    assertThat(kill.exitCode()).as(kill.toString()).isEqualTo(3);
    assertThat(kill.err()).contains("job-4242");

    // The leader dies: the other masters still answer, whichever the address names first.
    ProcessHandle.of(leaderPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(leaderPid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    CliRun after = CliRun.of("list", "--master", "quern://" + leader + "," + follower);
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(after.out()).isEqualTo("No jobs." + System.lineSeparator());
  }
}
