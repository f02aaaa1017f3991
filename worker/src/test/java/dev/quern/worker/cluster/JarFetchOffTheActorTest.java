package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.AttemptFailed;
import dev.quern.worker.cluster.ClusterWire.AttemptKilled;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.KillAttempt;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.testjobs.TestJobs;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker fetches a job's jar off its actors' threads: while a master's HTTP server holds the
 * download, the worker keeps heartbeating (counting the waiting attempts as running), kills a
 * waiting attempt at once and runs another job's attempt to the end; the attempts of the job share
 * one download; when it fails, the waiting attempt fails naming the jar and the master tried.
 */
class JarFetchOffTheActorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SHA = "ab".repeat(32);

  @TempDir Path tmp;
  private ActorSystem<Void> masters;
  private ActorTestKit kit;
  private TestProbe<Object> front;
  private HttpServer jars;
  private final CountDownLatch asked = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();
  private String jarAddress;
  private WorkerProcess worker;

  @BeforeEach
  void start() throws Exception {
    AtomicReference<ActorRef<Object>> sink = new AtomicReference<>();
    masters = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(Behaviors.receive(Object.class).onAnyMessage(m -> {
        sink.get().tell(m);
        return Behaviors.same();
      }).build(), WorkerAgent.MASTER_ACTOR);
      return Behaviors.empty();
    }), WorkerAgent.MASTER_SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
    kit = ActorTestKit.create(masters);
    front = kit.createTestProbe();
    sink.set(front.getRef());
    // A master's jar route that holds every download until the test releases it, then has none.
    jars = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jars.createContext(JarCache.ROUTE, exchange -> {
      requests.incrementAndGet();
      asked.countDown();
      try {
        release.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "no such jar".getBytes();
      exchange.sendResponseHeaders(404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jars.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    jars.start();
    jarAddress = "127.0.0.1:" + jars.getAddress().getPort();
    String master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    worker = WorkerProcess.start(new WorkerProcessConfig("w1", List.of(master), 3,
        tmp.resolve("w1"), "127.0.0.1", 0, Duration.ofMillis(50), Duration.ofMinutes(10),
        List.of(jarAddress)), ConfigFactory.empty());
  }

  @AfterEach
  void stop() {
    release.countDown();
    worker.close();
    jars.stop(0);
    kit.shutdownTestKit();
  }

  @Test
  void theWorkerHeartbeatsAndRunsOtherJobsWhileAJarDownloadIsHeld() throws Exception {
    ActorRef<ToWorker> agent = ((Heartbeat) last(front.fishForMessage(WAIT,
        m -> m instanceof Heartbeat ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()))).replyTo();
    TestProbe<ToMaster> leader = kit.createTestProbe();
    agent.tell(new Accepted(3, "m1", leader.getRef()));

    MapTaskSpec stored0 = JarCacheTest.task("job-1", "sha256:" + SHA, tmp);
    TaskAttemptId a0 = stored0.id();
    TaskAttemptId a1 = new TaskAttemptId("job-1", TaskKind.MAP, 1, 1);
    MapTaskSpec stored1 = new MapTaskSpec(a1, stored0.job(), stored0.split(), "s1", "o1");
    agent.tell(new RunAttempt(3, "m1", stored0));
    agent.tell(new RunAttempt(3, "m1", stored1));
    assertTrue(asked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the worker asked for the jar");

    // The download is held: heartbeats go on, with both attempts holding their slots.
    int[] beats = {0};
    leader.fishForMessage(WAIT, m -> {
      if (m instanceof Heartbeat h && h.running().containsAll(List.of(a0.toString(),
          a1.toString())) && h.freeSlots() == 1) {
        return ++beats[0] == 3 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
      }
      // Heartbeats sent before the attempts arrived may still be on their way; none after.
      return m instanceof Heartbeat && beats[0] > 0
          ? FishingOutcomes.fail("unexpected heartbeat " + m) : FishingOutcomes.continueAndIgnore();
    });

    // A waiting attempt is killed at once.
    agent.tell(new KillAttempt(3, "m1", a1, "speculation lost"));
    AttemptKilled killed = (AttemptKilled) last(leader.fishForMessage(WAIT,
        m -> m instanceof AttemptKilled ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()));
    assertEquals(a1, killed.attempt());
    assertEquals("speculation lost", killed.reason());

    // Another job (its classes are the worker's own) runs to the end meanwhile.
    Path input = Files.writeString(tmp.resolve("in.txt"), "a\nb\n");
    JobSpec plain = Job.builder("t").input(input.toString()).output(tmp.resolve("out").toString())
        .mapper(TestJobs.SkewMapper.class).reducer(TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class).output(String.class, Long.class).reduceTasks(1)
        .build().spec();
    TaskAttemptId other = new TaskAttemptId("job-2", TaskKind.MAP, 0, 1);
    agent.tell(new RunAttempt(3, "m1", new MapTaskSpec(other, plain,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        "scratch/job-2/" + other.dirName(), tmp.resolve("work").toString())));
    AttemptDone done = (AttemptDone) last(leader.fishForMessage(WAIT,
        m -> m instanceof AttemptDone ? FishingOutcomes.complete()
            : m instanceof AttemptFailed f ? FishingOutcomes.fail("failed: " + f)
            : FishingOutcomes.continueAndIgnore()));
    assertEquals(other, done.attempt());
    assertEquals(1, release.getCount(), "the download was still held");
    assertEquals(1, requests.get(), "the job's attempts share one download");

    // The master has no such jar: the waiting attempt fails, naming the jar and the master.
    release.countDown();
    AttemptFailed failed = (AttemptFailed) last(leader.fishForMessage(WAIT,
        m -> m instanceof AttemptFailed ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()));
    assertEquals(a0, failed.attempt());
    String msg = failed.message();
    assertTrue(msg.contains("job job-1") && msg.contains("attempt " + a0)
        && msg.contains("sha256:" + SHA) && msg.contains(jarAddress + ": HTTP 404"), msg);
    // Its slot is free again.
    leader.fishForMessage(WAIT, m -> m instanceof Heartbeat h && h.running().isEmpty()
        && h.freeSlots() == 3 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  private static Object last(List<?> fished) {
    return fished.get(fished.size() - 1);
  }
}
