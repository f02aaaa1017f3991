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
 * {@code quern list}, {@code status}, {@code wait} and {@code kill} against a real cluster that
 * {@code quern cluster start} launched (3 masters, 1 worker): through a follower, on a job that
 * {@code quern submit --detach} sent, and after the leader was SIGKILLed.
 */
@Timeout(300)
class JobCommandsClusterTest {
  private static final String WORDCOUNT = "dev.quern.examples.wordcount.WordCount";

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
  void theJobCommandsWorkThroughAFollowerAndAfterTheLeaderDies() throws Exception {
    Path dir = tmp.resolve("cluster");
    List<String> start = new ArrayList<>(List.of("cluster", "start", "--masters", "3",
        "--workers", "1", "--dir", dir.toString(), "--config",
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
    for (JsonNode p : ClusterHttpClient.JSON.readTree(status.out()).path("processes")) {
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
    assertThat(ClusterHttpClient.JSON.readTree(json.out()).isArray()).isTrue();
    assertThat(ClusterHttpClient.JSON.readTree(json.out())).isEmpty();

    CliRun unknown = CliRun.of("status", "job-4242", "--master", "quern://" + follower);
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    // A kill goes to the leader (the follower redirects); it knows no such job either.
    CliRun kill = CliRun.of("kill", "job-4242", "--master", "quern://" + follower);
    assertThat(kill.exitCode()).as(kill.toString()).isEqualTo(3);
    assertThat(kill.err()).contains("job-4242");

    // A job submitted with --detach: wait follows it to its end, status and list show it.
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "to be or not to be\nthat is the question\n");
    CliRun submit = CliRun.of("submit", "--detach", "--master", address,
        TestJars.examplesJar(tmp.resolve("examples.jar"), null).toString(), WORDCOUNT,
        in.toString(), tmp.resolve("out").toString());
    assumeTrue(submit.exitCode() != 2, "quern submit does not take a quern:// master yet");
    assertThat(submit.exitCode()).as(submit.toString()).isZero();
    String id = submit.out().lines().filter(l -> l.matches("job-\\d+")).findFirst()
        .orElseThrow(() -> new AssertionError("no job id: " + submit));
    CliRun waited = CliRun.of("wait", id, "--master", "quern://" + follower, "--interval", "100");
    assertThat(waited.exitCode()).as(waited.toString()).isZero();
    List<String> waitLines = waited.out().lines().toList();
    assertThat(waitLines.get(waitLines.size() - 1)).startsWith(id + " wordcount SUCCEEDED in ");
    CliRun listed = CliRun.of("list", "--master", address);
    assertThat(listed.out().lines().toList()).anySatisfy(l -> assertThat(l)
        .matches(id + " +SUCCEEDED +wordcount +.*"));

    // The leader dies: the other masters still answer, whichever the address names first, and
    // a kill finds the next leader (here: the job already ended, so there is nothing to kill).
    ProcessHandle.of(leaderPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(leaderPid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    String survivors = "quern://" + leader + "," + follower;
    CliRun after = CliRun.of("status", id, "--master", survivors);
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(after.out()).startsWith(id + " wordcount: SUCCEEDED");
    CliRun killAfter = CliRun.of("kill", id, "--master", survivors);
    assertThat(killAfter.exitCode()).as(killAfter.toString()).isZero();
    assertThat(killAfter.out()).isEqualTo(id + " is not running (SUCCEEDED); nothing to kill"
        + System.lineSeparator());
  }
}
