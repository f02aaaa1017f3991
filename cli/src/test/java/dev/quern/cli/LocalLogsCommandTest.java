package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.Mapper;
import dev.quern.master.http.LocalAttemptLogs;
import dev.quern.master.http.UiServer;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern logs} in local mode: a local run with its UI keeps its attempts' output (in the
 * history directory), and once the run is over, {@code quern ui}'s history server gives it to
 * {@code quern logs --master quern://127.0.0.1:PORT}, as a master would.
 */
class LocalLogsCommandTest {
  @TempDir Path tmp;

  /** Prints its line to stdout and stderr. */
  public static final class Echo implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      System.out.println("said " + line);
      System.err.println("warned " + line);
      ctx.emit(line, 1L);
    }
  }

  @Test
  @Timeout(180)
  void quernLogsReadsALocalRunsAttemptsFromTheHistoryUi() throws Exception {
    Path history = tmp.resolve("history");
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "hello\n");
    Job job = Job.builder("echo").user("tester").input(in.toString())
        .output(tmp.resolve("out").toString()).mapper(Echo.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build();
    String id;
    try (LocalCluster cluster = LocalCluster.start(LocalClusterOptions.defaults().withWorkers(1)
        .withAttemptLogs(LocalAttemptLogs.under(history).startRun()));
        UiServer ui = UiServer.startLocal(cluster, 0, history)) {
      JobHandle h = cluster.submit(job.spec());
      assertEquals(JobState.SUCCEEDED, h.awaitCompletion(Duration.ofSeconds(120)).state());
      id = h.id();
    }
    try (UiServer ui = UiServer.startHistory(history, 0)) {
      String master = "quern://127.0.0.1:" + ui.port();
      CliRun one = CliRun.of("logs", id, "--task", "m-00000", "--attempt", "1", "--stream",
          "stdout", "--master", master);
      assertEquals(0, one.exitCode(), one::toString);
      assertEquals("said hello\n", one.out(), one::toString);
      CliRun all = CliRun.of("logs", id, "--task", "m-00000", "--master", master);
      assertEquals(0, all.exitCode(), all::toString);
      assertTrue(all.out().contains("==> " + id + "/m-00000/1 stderr (worker ")
          && all.out().contains("warned hello\n"), all::toString);
      CliRun none = CliRun.of("logs", id, "--task", "m-00042", "--master", master);
      assertEquals(3, none.exitCode(), none::toString);
    }
  }
}
