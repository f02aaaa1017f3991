package dev.quern.master.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.http.HistoryStore;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.StateMachine;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.raft.node.WalRaftPersistence;
import dev.quern.raft.storage.RaftLogStore;
import dev.quern.worker.cluster.ArteryConfig;
import dev.quern.worker.cluster.WorkerAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running master process: an actor system ({@value WorkerAgent#MASTER_SYSTEM}) on Artery at the
 * master's Raft address, the Raft node ({@code /user/raft}) on the fsynced write-ahead log under
 * {@code data/raft} with the job book ({@link JobBookMachine}) as its state machine, the cluster
 * actor ({@code /user/cluster}), the job leader ({@code /user/leader}), the HTTP endpoint, and the
 * history of ended jobs under {@code data/history}. Every member
 * of {@code peers} founds the group when its storage is empty, as in the Raft KV demo.
 */
public final class MasterProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterProcess.class);

  /**
   * The scratch root task specs name: relative, so each worker resolves it under its own data
   * directory.
   */
  static final String SCRATCH = "scratch";

  private final MasterProcessConfig config;
  private final ActorSystem<Void> system;
  private final ClusterHttp http;
  private final RaftMonitor monitor;
  private final BookViews views;
  /** The Raft node, for the leadership handoff on close. */
  private final ActorRef<RaftNodeActor.Command> raft;
  private final Duration transferTimeout;
  /** This master's Raft node id ({@link RaftIds}). */
  private final long raftId;

  private MasterProcess(MasterProcessConfig config, ActorSystem<Void> system, ClusterHttp http,
      RaftMonitor monitor, BookViews views, ActorRef<RaftNodeActor.Command> raft,
      Duration transferTimeout, long raftId) {
    this.raftId = raftId;
    this.config = config;
    this.system = system;
    this.http = http;
    this.monitor = monitor;
    this.views = views;
    this.raft = raft;
    this.transferTimeout = transferTimeout;
  }

  /**
   * Starts a master whose replicated state machine is the job book; ended jobs are saved to its
   * history store ({@code data/history}), which serves them once they are retired from the book.
   */
  public static MasterProcess start(MasterProcessConfig config, Config user) throws IOException {
    BookViews views = new BookViews(new ProgressViews(new ClusterMonitor()), history(config));
    SplitRetention retention = new SplitRetention(views);
    return start(config, user, views, () -> new JobBookMachine(retention), false, retention);
  }

  /**
   * Starts a master that joins a running group instead of founding one: with empty storage it
   * waits for the leader to add it ({@code POST /api/cluster/members}, what
   * {@code quern master --join} sends) and then receives the log or a snapshot. With storage, the
   * same as {@link #start(MasterProcessConfig, Config)}.
   */
  public static MasterProcess join(MasterProcessConfig config, Config user) throws IOException {
    BookViews views = new BookViews(new ProgressViews(new ClusterMonitor()), history(config));
    SplitRetention retention = new SplitRetention(views);
    return start(config, user, views, () -> new JobBookMachine(retention), true, retention);
  }

  /** {@code data/history}: the jobs this master saw end. */
  static HistoryStore history(MasterProcessConfig config) {
    return new HistoryStore(config.data().resolve("history"));
  }

  /**
   * @param user the whole user configuration (its {@code pekko} section tunes the actor system)
   * @param machines a new, empty replicated state machine per call
   */
  public static MasterProcess start(MasterProcessConfig config, Config user,
      Supplier<StateMachine> machines) throws IOException {
    return start(config, user, new BookViews(new ProgressViews(new ClusterMonitor()),
        history(config)), machines, false, null);
  }

  /**
   * @param views where the book's job views are published (the machine's listener)
   * @param retention the machine's listener that deletes retired jobs' split lists, or null
   */
  private static MasterProcess start(MasterProcessConfig config, Config user, BookViews views,
      Supplier<StateMachine> machines, boolean join, SplitRetention retention)
      throws IOException {
    ClusterMonitor jobs = views.monitor();
    Duration transferTimeout = LeaderHandoff.timeout(user);
    Files.createDirectories(config.data());
    long raftId;
    try {
      raftId = RaftIds.settle(config);
    } catch (IOException | RuntimeException e) {
      views.close();
      throw e;
    }
    RaftMonitor monitor = new RaftMonitor();
    ClusterBoard board = new ClusterBoard();
    Clock clock = Clock.systemUTC();
    LeaderPort leaderPort = new LeaderPort();
    ReplicatedCluster replicated = new ReplicatedCluster(jobs, board, (jobId, who) -> {
      JobLeader.KillReply r = leaderPort.kill(jobId, who + " at "
          + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      if (r instanceof JobLeader.KillDone d) {
        return d.killed();
      }
      throw new LiveCluster.Unavailable(((JobLeader.NotLeading) r).reason());
    }, config, monitor, views.progress());
    views.record(replicated);
    MembershipRoutes.Port members = new MembershipRoutes.Port();
    ClusterHttp http = ClusterHttp.start(config.http().host(), config.http().port(), config,
        monitor, board, clock, replicated, leaderPort, views, members,
        dev.quern.master.http.login.LoginSettings.from(user));
    if (retention != null) {
      retention.attach(http.splitLists());
    }
    // Every --peers entry, this master's own included: founders write them all into the log's
    // first entries (the same on every founder), so a master added later learns them there.
    Map<Long, String> peerPaths = new TreeMap<>();
    List<Long> voters = new ArrayList<>();
    for (Map.Entry<String, dev.quern.worker.cluster.Loopback.HostPort> e
        : config.peers().entrySet()) {
      long node = e.getKey().equals(config.id()) ? raftId
          : RaftIds.peer(config.peers(), e.getKey(), raftId);
      voters.add(node);
      String address = Members.address(e.getValue(), e.getKey());
      peerPaths.put(node, address);
      if (!e.getKey().equals(config.id())) {
        // A joiner does not know whether the group numbers its founders by place (made before
        // RaftIds) or by id: it answers them under either number until the log tells it.
        peerPaths.put(RaftIds.place(config.peers(), e.getKey()), address);
        peerPaths.put(RaftIds.of(e.getKey()), address);
      }
    }
    // As the KV demo: appends stay under Artery's default frame; lagging followers within 1,000
    // entries of a snapshot catch up from the log.
    RaftConfig raftConfig = RaftConfig.builder(raftId).electionTicks(config.electionTicks())
        .heartbeatTicks(config.heartbeatTicks()).maxEntriesPerMessage(256).compactionMargin(1000)
        // The job leader proposes only where it leads: a deposed leader's proposal must fail,
        // not travel to the next leader behind that leader's own scheduling.
        .forwardToLeader(false)
        .build();
    // The seed only spreads election timeouts; it is the environment's, not a scenario's.
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(raftConfig, config.tick(),
        peerPaths, join ? List.of() : voters, System.nanoTime() ^ raftId, config.snapshotEvery(),
        monitor);
    MasterClusterActor.Settings clusterSettings = new MasterClusterActor.Settings(config,
        http.address(), monitor, checkInterval(config), clock);
    Config pekko = ConfigFactory.parseString("""
        pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
        pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
        # close() stops the system after the leadership handoff; Pekko's own JVM hook would
        # stop it at SIGTERM beside that handoff.
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(ArteryConfig.of(config.raft().host(), config.raft().port(), user,
            config.security()));
    CompletableFuture<ActorRef<RaftNodeActor.Command>> spawned = new CompletableFuture<>();
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.setup(ctx -> {
        ActorRef<RaftNodeActor.Command> raft = ctx.spawn(RaftNodeActor.create(settings,
            WalRaftPersistence.reopening(config.data().resolve("raft"),
                RaftLogStore.Options.defaults()), machines), "raft");
        ActorRef<JobLeader.Command> leader = ctx.spawn(JobLeader.create(new JobLeader.Settings(
            config.id(), config.raft().toString(), monitor, raft, Path.of(SCRATCH), config.scheduling().tick(),
            config.scheduling().takeoverGrace(), clock, config.data().resolve("jars"),
            config.retention(), config.scheduling().schedulerSettings(), views.progress(),
            http.splitLists())),
            "leader");
        ctx.spawn(MasterClusterActor.create(clusterSettings, board, leader),
            WorkerAgent.MASTER_ACTOR);
        leaderPort.attach(ctx.getSystem(), leader);
        members.attach(ctx.getSystem(), raft);
        spawned.complete(raft);
        return Behaviors.empty();
      }), WorkerAgent.MASTER_SYSTEM, pekko);
    } catch (RuntimeException e) {
      http.close();
      views.close();
      throw e;
    }
    ActorRef<RaftNodeActor.Command> raftNode;
    try {
      raftNode = spawned.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      http.close();
      views.close();
      throw new IllegalStateException("master " + config.id() + " did not start its actors", e);
    }
    log.info("master {} (raft node {}) on Artery {} ({}), HTTP {}, data in {}", config.id(),
        raftId, config.raft(), ArteryConfig.describe(config.security()), http.address(),
        config.data());
    return new MasterProcess(config, system, http, monitor, views, raftNode, transferTimeout,
        raftId);
  }

  /**
   * Liveness is checked a few times per timeout, so a dead worker goes within ~1.25 timeouts;
   * and at least every 100 ms, so a master that has just been elected tells the workers within
   * that (they would otherwise wait out their leader timeout, the most of a failover's cost).
   */
  private static Duration checkInterval(MasterProcessConfig config) {
    Duration d = config.workerTimeout().dividedBy(4);
    for (Duration cap : List.of(config.helloInterval(), Duration.ofMillis(100))) {
      d = cap.compareTo(d) < 0 ? cap : d;
    }
    return d.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : d;
  }

  public MasterProcessConfig config() {
    return config;
  }

  /** The HTTP endpoint as bound, {@code host:port}. */
  public String httpAddress() {
    return http.address();
  }

  /** This master's Raft node id, fixed for the life of its data directory ({@link RaftIds}). */
  public long raftId() {
    return raftId;
  }

  public RaftMonitor monitor() {
    return monitor;
  }

  /** Blocks until the actor system ends. */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * Stops the master. A leader first hands leadership to an up-to-date follower (at most
   * {@code leader-transfer-timeout}, {@link LeaderHandoff}), serving HTTP meanwhile.
   */
  @Override
  public void close() {
    if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
      LeaderHandoff.run(config, monitor, raft, transferTimeout);
    }
    http.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("master {}: actor system did not stop within 10 s", config.id());
    }
    views.close();
  }
}
