package dev.quern.raft.kvdemo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.raft.node.WalRaftPersistence;
import dev.quern.raft.storage.RaftLogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master as an OS process: an actor system (Artery TCP on 127.0.0.1), the Raft node on the
 * durable WAL in {@code --data}, the replicated {@link KvStateMachine}, and a {@link ClientEndpoint}.
 * All members named in {@code --peers} plus this one found the group when their storage is empty.
 * Prints {@code READY client-port=<port> pid=<pid>} on stdout once clients can connect: the port it
 * bound (so {@code --client-port 0} works), and the pid that tells this life's line from an earlier
 * life's in a log that restarts append to. If the Artery port is taken, the actor system fails to
 * start and the process exits with status 1 after logging {@code Failed to bind TCP to [host:port]}.
 * See {@link KvDemoArgs}.
 */
public final class KvDemoMain {

  private static final Logger LOG = LoggerFactory.getLogger(KvDemoMain.class);

  private KvDemoMain() {
  }

  /** Actor system name shared by all masters: peers' paths are {@code pekko://master@host:port/user/raft}. */
  public static final String SYSTEM = "master";

  public static void main(String[] argv) throws Exception {
    KvDemoArgs args;
    try {
      args = KvDemoArgs.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("KvDemoMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    Map<Long, String> peerPaths = new TreeMap<>();
    args.peers().forEach((id, hostPort) -> peerPaths.put(id, "pekko://" + SYSTEM + "@" + hostPort + "/user/raft"));
    List<Long> voters = new ArrayList<>(args.peers().keySet());
    voters.add(args.id());
    // The default sizes keep every append under Artery's default 256 KiB frame (see RaftWire); lagging
    // followers within 1,000 entries of a snapshot catch up from the log.
    // Followers answer REDIRECT instead of forwarding: the clients follow the leader, as the benchmark
    // figures in bench/raft/RESULTS.md were measured.
    RaftConfig config = RaftConfig.builder(args.id()).maxEntriesPerMessage(256).compactionMargin(1000)
        .forwardToLeader(false).build();
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(config, Duration.ofMillis(args.tickMillis()),
        peerPaths, voters, System.nanoTime() ^ args.id(), args.snapshotEvery());
    RaftLogStore.Options wal = new RaftLogStore.Options(args.segmentBytes()).withCompactionMargin(config.compactionMargin());

    CompletableFuture<ActorRef<RaftNodeActor.Command>> spawned = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      spawned.complete(ctx.spawn(RaftNodeActor.create(settings,
          WalRaftPersistence.reopening(args.data(), wal), KvStateMachine::new), "raft"));
      return Behaviors.empty();
    }), SYSTEM, pekkoConfig(args.port()));
    ClientEndpoint endpoint = new ClientEndpoint(system, spawned.get(30, TimeUnit.SECONDS), args.id(), args.peerClients(),
        settings.monitor().metrics());
    int clientPort = endpoint.start(args.clientPort());
    Runtime.getRuntime().addShutdownHook(new Thread(system::terminate, "master-shutdown"));
    LOG.info("master {} on Artery port {}, clients on {}", args.id(), args.port(), clientPort);
    System.out.println("READY client-port=" + clientPort + " pid=" + ProcessHandle.current().pid());
    System.out.flush();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  static Config pekkoConfig(int port) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = %d
        pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
        pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
        pekko.remote.warn-about-direct-use = off
        pekko.remote.warn-unsafe-watch-outside-cluster = off
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        """.formatted(port)).withFallback(ConfigFactory.load());
  }
}
