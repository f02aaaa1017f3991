package dev.quern.worker.cluster;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker process: its actor system ({@value #SYSTEM}) on Artery and the
 * {@link WorkerAgent} that keeps it registered with the leader.
 */
public final class WorkerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

  public static final String SYSTEM = "quern-worker";

  private final WorkerProcessConfig config;
  private final ActorSystem<Void> system;
  private final String address;
  private final AtomicReference<WorkerAgent.Link> link;

  private WorkerProcess(WorkerProcessConfig config, ActorSystem<Void> system, String address,
      AtomicReference<WorkerAgent.Link> link) {
    this.config = config;
    this.system = system;
    this.address = address;
    this.link = link;
  }

  /**
   * Creates the data directory, binds Artery and starts looking for the leader.
   *
   * @param user the whole user configuration (its {@code pekko} section tunes the actor system)
   */
  public static WorkerProcess start(WorkerProcessConfig config, Config user) throws IOException {
    Files.createDirectories(config.data());
    AtomicReference<WorkerAgent.Link> link = new AtomicReference<>();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM,
        ArteryConfig.of(config.host(), config.port(), user));
    try {
      int port = system.address().getPort().orElseThrow();
      String address = new Loopback.HostPort(config.host(), port).toString();
      system.systemActorOf(WorkerAgent.create(new WorkerAgent.Settings(config.id(), address,
          config.slots(), config.masters(), config.heartbeatInterval(), config.leaderTimeout()),
          link), "agent", org.apache.pekko.actor.typed.Props.empty());
      log.info("worker {} on Artery {} with {} slots, data in {}", config.id(), address,
          config.slots(), config.data());
      return new WorkerProcess(config, system, address, link);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** The Artery address the worker bound, {@code host:port}. */
  public String address() {
    return address;
  }

  public WorkerProcessConfig config() {
    return config;
  }

  /** What the worker knows of the leader now. */
  public WorkerAgent.Link link() {
    return link.get();
  }

  /** Blocks until the actor system ends. */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("worker {}: actor system did not stop within {}", config.id(), Duration.ofSeconds(10));
    }
  }
}
