package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The masters' faults, on one cluster for the class (three masters, two workers of two slots):
 * the leader's SIGKILL while reduces run and in the middle of the job commit, its SIGSTOP past
 * the election timeout (its orders refused once it runs again), and every master's SIGKILL and
 * restart mid-job. Each case checks the output against a count made here and the commit rules,
 * and brings every killed master back (same id, data directory and ports) for the next case.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterLeaderFaultsTest {
  private Path tmp;
  private ClusterFixture cluster;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws IOException {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2,
        ClusterFixture.NO_WORKER_DIES_TIMEOUT, "w1", "w2");
  }

  /** Every master alive again, one leader, both workers registered with it. */
  @AfterEach
  void heal() {
    cluster.restartDeadMasters();
    cluster.awaitWorkers(2);
  }

  private TestProcess submit(String name, GatedRun r, String output) {
    return cluster.submit(name, r.jar(), GatedWordCount.class.getName(), r.in().toString(),
        output, r.gate().toString());
  }

  private String leader() {
    return Await.value(START, "a leader", () -> cluster.leader().orElse(null));
  }

  @Test
  void theLeadersSigkillWhileReducesRunChangesNothing(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "reduces", seed, 4, "reduce");
    TestProcess client = submit("client-reduces", r, r.out().toString());
    Await.until(JOB, "a reduce attempt at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "reduce").size() >= 1);
    String leader = leader();
    cluster.kill(leader);
    Files.delete(r.gate().resolve("hold-reduce"));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    String next = leader();
    assertNotEquals(leader, next);
  }

  @Test
  void theLeadersSigkillInTheMiddleOfTheJobCommitChangesNothing(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "commit", seed, 4);
    Path hold = r.out().resolveSibling(r.out().getFileName() + ".hold-commit");
    Path committing = r.out().resolveSibling(r.out().getFileName() + ".committing");
    Files.createFile(hold);
    TestProcess client = submit("client-commit", r, GatedFileSystem.uri(r.out()));
    // The leader's commit thread waits at the gate before it moves the first part file, having
    // written its pid there. (On a loaded machine a leader elected meanwhile commits again and
    // writes its own; and the file may be read between its creation and its write.) Only a
    // leader commits: a pid of a master that does not lead never satisfies this wait.
    String leader = Await.value(JOB, "the job commit at its gate, by the leader", () -> {
      String pid = committer(committing);
      return cluster.leader().filter(m -> Long.toString(cluster.masters.get(m).pid())
          .equals(pid)).orElse(null);
    });
    JsonNode jobs = cluster.get(cluster.http(leader), "/api/v1/jobs").orElseThrow();
    cluster.kill(leader);
    Files.delete(hold);
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    // The leader died with the job COMMITTING in the book, not after.
    boolean committingThen = false;
    for (JsonNode j : jobs) {
      committingThen |= j.path("state").asText().equals("COMMITTING");
    }
    assertTrue(committingThen, jobs::toString);
  }

  /** The pid the commit gate's file names, or null while it is missing or not yet written. */
  private static String committer(Path committing) {
    try {
      String pid = Files.readString(committing).trim();
      return pid.isEmpty() ? null : pid;
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aLeaderStoppedPastTheElectionTimeoutIsObeyedNoMore(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "stop", seed, 4, "map");
    TestProcess client = submit("client-stop", r, r.out().toString());
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 1);
    String old = leader();
    long oldTerm = cluster.get(cluster.http(old), "/api/cluster").orElseThrow().path("term")
        .asLong();
    List<String> others = cluster.masters.keySet().stream().filter(m -> !m.equals(old))
        .toList();
    cluster.signal(old, true);
    try {
      // Stopped until the others elected a leader and both workers follow it.
      String next = Await.value(START, "a new leader among " + others,
          () -> cluster.leader(others).filter(l -> !l.equals(old)).orElse(null));
      Await.until(START, "both workers with " + next, () -> cluster.get(cluster.http(next),
          "/api/cluster/workers").map(w -> w.path("workers").size() == 2).orElse(false));
    } finally {
      cluster.signal(old, false);
    }
    java.util.Map<String, Integer> logAtCont = new java.util.TreeMap<>();
    cluster.workers.forEach((id, w) -> logAtCont.put(id, w.log().length()));
    // Running again, the old leader learns its term is over.
    Await.until(START, old + " follows again", () -> cluster.get(cluster.http(old),
        "/api/cluster").map(s -> !s.path("role").asText().equals("LEADER")
            && s.path("term").asLong() > oldTerm).orElse(false));
    Files.delete(r.gate().resolve("hold-map"));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    // Once it ran again, no worker obeyed the old leader: whatever it still sent in its old
    // term (an answer to a heartbeat queued while it was stopped, say) was refused. Whether it
    // sent anything depends on whether its Raft node heard of the new term first, so refusals
    // may or may not appear; each one must name the old leader's term and the newer one.
    for (var w : cluster.workers.entrySet()) {
      String after = w.getValue().log().substring(logAtCont.get(w.getKey()));
      assertTrue(!after.contains("registered with leader " + old + " (term " + oldTerm + ")"),
          () -> w.getKey() + " obeyed deposed " + old + " after SIGCONT:\n" + after);
      after.lines().filter(l -> ClusterFixture.REFUSED.matcher(l).find()
          && l.contains(" of " + old + " ")).forEach(l -> assertTrue(
              l.contains(" in term " + oldTerm + " "), () -> "refusal of another term: " + l));
    }
  }

  @Test
  void everyMastersSigkillAndRestartMidJobResumesTheJob(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "all", seed, 6, "map");
    String job = cluster.submitDetached("client-all", r.jar(), GatedWordCount.class.getName(),
        r.in().toString(), r.out().toString(), r.gate().toString());
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 2);
    for (String m : cluster.masters.keySet()) {
      cluster.kill(m);
    }
    // Some maps finish while no master runs: their reports wait for the next leader.
    Files.delete(r.gate().resolve("hold-map"));
    for (String m : cluster.masters.keySet()) {
      cluster.startMaster(m);
    }
    heal();
    JsonNode done = cluster.awaitJob(job, "SUCCEEDED or FAILED", j -> List.of("SUCCEEDED",
        "FAILED", "KILLED").contains(j.path("state").asText()));
    assertEquals("SUCCEEDED", done.path("state").asText(), done::toString);
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
  }

  /**
   * The leader's SIGKILL while every slot holds a map at the gate: the new leader adopts the
   * four attempts its workers report and runs none of those maps again. With {@code
   * releaseAtOnce} the gate opens right after the kill, so the held maps finish while the
   * workers know no leader or still report to the dead one: each is counted once, from the
   * report the worker keeps for the next leader; else they are still running when both workers
   * have registered with the new leader, which the test checks from that leader's book first.
   */
  private void leaderKilledWithEverySlotHeld(Seed seed, String name, boolean releaseAtOnce)
      throws Exception {
    int maps = 6;
    GatedRun r = GatedRun.prepare(tmp, name, seed, maps, "map");
    String job = cluster.submitDetached("client-" + name, r.jar(),
        GatedWordCount.class.getName(), r.in().toString(), r.out().toString(),
        r.gate().toString());
    int slots = 2 * 2;
    Await.until(JOB, "a map attempt at the gate on every slot",
        () -> started(r.gate()).size() == slots);
    String old = leader();
    java.util.Map<String, Integer> logAtKill = new java.util.TreeMap<>();
    cluster.masters.forEach((m, p) -> logAtKill.put(m, p.log().length()));
    cluster.kill(old);
    if (releaseAtOnce) {
      Files.delete(r.gate().resolve("hold-map"));
    }
    String first = cluster.awaitWorkers(2);
    assertNotEquals(old, first);
    if (!releaseAtOnce) {
      // Both workers registered with the new leader's scheduler, claiming their two each... (On
      // a loaded machine the leader may change again, or its session start over, before they
      // do: whichever master leads once both registered with its scheduler is the one checked.)
      String next = Await.value(JOB, "a leader adopting both workers' two attempts of " + job,
          () -> cluster.leader().filter(m -> cluster.workers.keySet().stream().allMatch(
              w -> adopted(cluster.masters.get(m).log(), w, job))).orElse(null));
      assertNotEquals(old, next);
      // ...and the held attempts run on in its book, each its map's only attempt.
      JsonNode tasks = cluster.tasks(job);
      List<String> running = new java.util.ArrayList<>();
      for (JsonNode t : tasks) {
        if (t.path("kind").asText().equals("MAP")) {
          assertTrue(t.path("attempts").size() <= 1, () -> next + " ran a map again: " + t);
          t.path("attempts").forEach(a -> {
            if (a.path("state").asText().equals("RUNNING")) {
              running.add(a.path("id").asText());
            }
          });
        }
      }
      assertEquals(slots, running.size(), () -> next + " did not adopt the held attempts: "
          + tasks);
      Files.delete(r.gate().resolve("hold-map"));
      // The failover's timeline in the new leader's log (what bench/cluster/leader-kill.sh
      // reads), in order: elected, the book read, and the first attempt it sent (a map left,
      // once a held one freed its slot: every slot was taken by an adopted attempt till then).
      // (Read from the first master to send one after the kill, for the same reason.)
      java.util.regex.Pattern firstOf = java.util.regex.Pattern.compile(
          "master (\\S+) sends its first attempt of term (\\d+),");
      java.util.regex.Matcher sent = Await.value(JOB, "a new leader's first attempt", () -> {
        for (String m : cluster.masters.keySet()) {
          if (m.equals(old)) {
            continue;
          }
          String all = cluster.masters.get(m).log();
          java.util.regex.Matcher x = firstOf.matcher(all.substring(Math.min(logAtKill.get(m),
              all.length())));
          if (x.find()) {
            return x;
          }
        }
        return null;
      });
      String sender = sent.group(1);
      String term = sent.group(2);
      String all = cluster.masters.get(sender).log();
      String log = all.substring(Math.min(logAtKill.get(sender), all.length()));
      int elected = log.indexOf("master " + sender + " leads in term " + term + ":");
      int read = log.indexOf("master " + sender + " schedules in term " + term + " ");
      int firstSent = log.indexOf(sent.group());
      assertTrue(elected >= 0 && elected < read && read < firstSent, () -> "timeline of term "
          + term + " out of order or missing (elected " + elected + ", book read " + read
          + ", first attempt " + firstSent + ") in " + sender + "'s log");
    }
    JsonNode done = cluster.awaitJob(job, "ended", j -> List.of("SUCCEEDED", "FAILED",
        "KILLED").contains(j.path("state").asText()));
    assertEquals("SUCCEEDED", done.path("state").asText(), done::toString);
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    // No worker died: every map has one attempt in the book, and its code ran once.
    JsonNode tasks = cluster.tasks(job);
    int mapTasks = 0;
    for (JsonNode t : tasks) {
      if (t.path("kind").asText().equals("MAP")) {
        mapTasks++;
        assertEquals(1, t.path("attempts").size(), () -> "map run again after the failover: "
            + t);
        assertEquals("SUCCEEDED", t.path("attempts").get(0).path("state").asText(),
            t::toString);
      }
    }
    assertEquals(maps, mapTasks, tasks::toString);
    assertEquals(maps, started(r.gate()).size(), () -> "map attempts started: "
        + started(r.gate()));
  }

  /** Whether a master's {@code log} says it adopted two running attempts of {@code job} on w. */
  private static boolean adopted(String log, String w, String job) {
    return log.lines().anyMatch(l -> l.contains("worker " + w + ": adopted 2 running attempt(s)")
        && l.contains(job + "/"));
  }

  /** The gate's {@code started-map-*} marks: one per map attempt that ran. */
  private static List<String> started(Path gate) {
    try (var files = Files.list(gate)) {
      return files.map(f -> f.getFileName().toString())
          .filter(f -> f.startsWith("started-map-")).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theLeadersSigkillMidMapAdoptsTheRunningAttempts(Seed seed) throws Exception {
    leaderKilledWithEverySlotHeld(seed, "adopt", false);
  }

  @Test
  void mapsThatEndDuringTheFailoverAreCountedOnce(Seed seed) throws Exception {
    leaderKilledWithEverySlotHeld(seed, "ended", true);
  }
}
