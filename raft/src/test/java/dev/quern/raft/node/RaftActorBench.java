package dev.quern.raft.node;

import com.typesafe.config.ConfigFactory;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.Role;
import dev.quern.raft.StateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Not a test: three masters in three actor systems on 127.0.0.1 (Artery TCP, Kryo, in-memory
 * storage); {@code clients} proposals kept outstanding against the leader for a while; reports
 * throughput and latency percentiles. Run with bench/raft/run.sh.
 */
public final class RaftActorBench {

  private RaftActorBench() {
  }

  /** Counts commands; the cheapest state machine, so the numbers are Raft's and Pekko's. */
  private static final class Counter implements StateMachine {
    long count;

    @Override
    public byte[] apply(byte[] command) {
      count++;
      return null;
    }

    @Override
    public byte[] snapshot() {
      return Long.toString(count).getBytes();
    }

    @Override
    public void restore(byte[] snapshot) {
      count = Long.parseLong(new String(snapshot));
    }
  }

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.remote.warn-about-direct-use = off
        pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
        pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.load());
    List<ActorSystem<Void>> systems = new ArrayList<>();
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorSystem<Void> sys = ActorSystem.create(Behaviors.empty(), "master", config);
      systems.add(sys);
      paths.put(id, sys.address() + "/system/raft");
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      var settings = new RaftNodeActor.Settings(RaftConfig.builder(id).maxEntriesPerMessage(256).maxInflight(32).build(),
          Duration.ofMillis(20), peers, List.of(1L, 2L, 3L), id, 50_000);
      nodes.put(id, systems.get((int) id - 1).systemActorOf(
          RaftNodeActor.create(settings, InMemoryRaftPersistence::new, Counter::new), "raft",
          org.apache.pekko.actor.typed.Props.empty()));
    }
    var scheduler = systems.get(0).scheduler();
    ActorRef<RaftNodeActor.Command> leader = null;
    while (leader == null) {
      Thread.sleep(100); // a benchmark, not a test: polling the real system is fine here
      for (var n : nodes.values()) {
        RaftNodeActor.Status s = AskPattern.<RaftNodeActor.Command, RaftNodeActor.Status>ask(n,
            RaftNodeActor.GetStatus::new, Duration.ofSeconds(2), scheduler).toCompletableFuture().get();
        if (s.role() == Role.LEADER) {
          leader = n;
        }
      }
    }
    ActorRef<RaftNodeActor.Command> target = leader;
    byte[] payload = new byte[100];
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicInteger done = new AtomicInteger();
    long[] latencies = new long[10_000_000];
    AtomicInteger latencyCount = new AtomicInteger();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      CompletableFuture<Void> loop = new CompletableFuture<>();
      loops.add(loop);
      proposeLoop(target, payload, scheduler, end, done, latencies, latencyCount, loop);
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] sorted = Arrays.copyOf(latencies, Math.min(latencyCount.get(), latencies.length));
    Arrays.sort(sorted);
    System.out.printf("actors 3 masters over Artery, %d outstanding proposals: %,.0f commands/s; latency p50 %.2f ms, p99 %.2f ms%n",
        clients, done.get() / elapsed, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6);
    for (ActorSystem<Void> s : systems) {
      s.terminate();
    }
  }

  private static void proposeLoop(ActorRef<RaftNodeActor.Command> leader, byte[] payload,
                  org.apache.pekko.actor.typed.Scheduler scheduler, long end, AtomicInteger done,
                  long[] latencies, AtomicInteger latencyCount, CompletableFuture<Void> finished) {
    if (System.nanoTime() > end) {
      finished.complete(null);
      return;
    }
    long t0 = System.nanoTime();
    AskPattern.<RaftNodeActor.Command, RaftNodeActor.ProposeReply>ask(leader,
            replyTo -> new RaftNodeActor.Propose(payload, replyTo), Duration.ofSeconds(10), scheduler)
        .whenComplete((reply, error) -> {
          if (reply instanceof RaftNodeActor.Applied) {
            done.incrementAndGet();
            int i = latencyCount.getAndIncrement();
            if (i < latencies.length) {
              latencies[i] = System.nanoTime() - t0;
            }
          }
          proposeLoop(leader, payload, scheduler, end, done, latencies, latencyCount, finished);
        });
  }
}
