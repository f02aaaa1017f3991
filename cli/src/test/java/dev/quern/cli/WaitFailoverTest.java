package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.testkit.Await;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code quern wait} across a leader failover, with real HTTP servers playing the masters: the
 * master it polls dies mid-job, the next one knows no leader for a while (503), then answers; wait
 * carries on printing progress and exits with the job's outcome.
 */
class WaitFailoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "job-0007";
  private final List<Javalin> servers = new java.util.ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(Javalin::stop);
  }

  private Javalin master(Consumer<Context> answer) {
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      // A master that goes away finishes the answer it is writing (as a killed one's connection
      // just breaks); stopped mid-answer, Jetty would send a 500, which no master sends.
      c.jetty.modifyServer(server -> {
        server.setStopTimeout(2_000);
        server.setHandler(new org.eclipse.jetty.server.handler.GracefulHandler());
      });
      c.routes.get("/api/v1/jobs/{id}", answer::accept);
    });
    servers.add(app);
    return app.start("127.0.0.1", 0);
  }

  private static void job(Context ctx, String state, int mapsDone, int reducesDone) {
    long t = 1_764_000_000_000L;
    boolean done = !state.equals("RUNNING");
    JobDoc d = new JobDoc(ID, "wc", "tester", state, t, t + 100, done ? t + 4_100 : null, 4_000L,
        List.of("/in"), "/out", new ProgressDoc(2, mapsDone, 2 - mapsDone, 0, mapsDone / 2.0),
        new ProgressDoc(1, reducesDone, 0, 0, reducesDone), Map.of(), Map.of(), null);
    try {
      ctx.contentType("application/json").result(JSON.writeValueAsString(d));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void waitFollowsTheJobToTheNextMasterThroughAnElection() throws Exception {
    Javalin first = master(ctx -> job(ctx, "RUNNING", 1, 0));
    int electionAnswers = 3;
    AtomicInteger asked = new AtomicInteger();
    Javalin second = master(ctx -> {
      int n = asked.incrementAndGet();
      if (n <= electionAnswers) {
        ctx.status(503).contentType("application/json").result("{\"error\":\"electing\"}");
      } else if (n == electionAnswers + 1) {
        job(ctx, "RUNNING", 2, 0);
      } else {
        job(ctx, "SUCCEEDED", 2, 1);
      }
    });
    String address = "quern://127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> CliRun.of(out, err,
        "wait", ID, "--master", address, "--interval", "20"));
    Await.until(Duration.ofSeconds(120), "wait to print the job's progress",
        () -> out.toString().contains("RUNNING"));
    assertThat(asked.get()).as("the second master is not asked while the first answers").isZero();

    first.stop();
    CliRun run = waiting.get(120, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines().toList()).containsExactly(
        ID + " wc RUNNING  map  50% (1/2)  reduce   0% (0/1)",
        ID + " wc RUNNING  map 100% (2/2)  reduce   0% (0/1)",
        ID + " wc SUCCEEDED in 4.0 s");
    assertThat(asked.get()).isEqualTo(electionAnswers + 2);
    assertThat(run.err()).isEmpty();
  }
}
