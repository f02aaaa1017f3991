package dev.quern.worker.cluster;

import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.Refused;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process's link to the masters. Every heartbeat interval it sends a {@link Heartbeat}:
 * to the leader once one accepted it, else to the next master of its list in turn (a master that
 * does not lead answers with the leader's address, and the heartbeat goes there at once). With no
 * {@link Accepted} from the leader for the leader timeout, it looks for the leader again; that is
 * how it finds a new leader after a failover. Liveness is the leader's business: it counts a
 * worker dead when its heartbeats stop. Leader messages pass the {@link TermFence} first; one
 * it refuses is answered with {@link Refused}, which tells a deposed leader who leads now.
 */
public final class WorkerAgent {
  private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);

  /** The actor system name of every master process. */
  public static final String MASTER_SYSTEM = "quern-master";
  /** The name of a master's cluster actor, under {@code /user}. */
  public static final String MASTER_ACTOR = "cluster";

  /**
   * @param address this worker's own Artery {@code host:port}
   * @param masters the masters' Artery addresses
   */
  public record Settings(String workerId, String address, int slots, List<String> masters,
      Duration heartbeatInterval, Duration leaderTimeout) {}

  /** What the agent knows of the leader, readable from other threads. */
  public record Link(String leaderId, long term, boolean registered) {}

  private enum Tick { INSTANCE }

  /** The path of the cluster actor of the master at Artery address {@code hostPort}. */
  public static String masterPath(String hostPort) {
    return "pekko://" + MASTER_SYSTEM + "@" + hostPort + "/user/" + MASTER_ACTOR;
  }

  public static Behavior<Object> create(Settings settings, AtomicReference<Link> link) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate(Tick.INSTANCE, settings.heartbeatInterval());
      Agent agent = new Agent(ctx, settings, link);
      agent.onTick();
      return Behaviors.receive(Object.class)
          .onMessageEquals(Tick.INSTANCE, agent::onTick)
          .onMessage(Accepted.class, agent::onAccepted)
          .onMessage(NotLeader.class, agent::onNotLeader)
          .build();
    }));
  }

  private static final class Agent {
    private final ActorContext<Object> ctx;
    private final Settings settings;
    private final AtomicReference<Link> link;
    private final ActorRefResolver resolver;
    private final TermFence fence = new TermFence();
    private ActorRef<ToMaster> leader;
    private String leaderId = "";
    private long lastAnswer;
    private int nextMaster;

    Agent(ActorContext<Object> ctx, Settings settings, AtomicReference<Link> link) {
      this.ctx = ctx;
      this.settings = settings;
      this.link = link;
      this.resolver = ActorRefResolver.get(ctx.getSystem());
      link.set(new Link("", 0, false));
    }

    Behavior<Object> onTick() {
      if (leader != null
          && System.nanoTime() - lastAnswer > settings.leaderTimeout().toNanos()) {
        log.warn("worker {}: no answer from leader {} for {} ms; looking for the leader",
            settings.workerId(), leaderId, settings.leaderTimeout().toMillis());
        lose();
      }
      if (leader != null) {
        leader.tell(heartbeat(false));
      } else {
        String master = settings.masters().get(nextMaster++ % settings.masters().size());
        master(master).tell(heartbeat(true));
      }
      return Behaviors.same();
    }

    Behavior<Object> onAccepted(Accepted a) {
      if (!fence.admit(a.term(), a.leaderId())) {
        log.warn("worker {}: refused a message of {} in term {} (seen term {} of {})",
            settings.workerId(), a.leaderId(), a.term(), fence.term(), fence.leaderId());
        a.leader().tell(new Refused(settings.workerId(), fence.term(), fence.leaderId()));
        return Behaviors.same();
      }
      if (leader == null || !leader.equals(a.leader())) {
        log.info("worker {}: registered with leader {} (term {})", settings.workerId(),
            a.leaderId(), a.term());
      }
      leader = a.leader();
      leaderId = a.leaderId();
      lastAnswer = System.nanoTime();
      link.set(new Link(leaderId, a.term(), true));
      return Behaviors.same();
    }

    Behavior<Object> onNotLeader(NotLeader n) {
      if (leader != null && n.masterId().equals(leaderId)) {
        log.info("worker {}: {} no longer leads (term {}); looking for the leader",
            settings.workerId(), leaderId, n.term());
        lose();
      }
      if (leader == null && !n.leaderAddress().isEmpty() && n.term() >= fence.term()) {
        master(n.leaderAddress()).tell(heartbeat(true));
      }
      return Behaviors.same();
    }

    private void lose() {
      leader = null;
      leaderId = "";
      link.set(new Link("", fence.term(), false));
    }

    private ActorRef<ToMaster> master(String hostPort) {
      return resolver.resolveActorRef(masterPath(hostPort));
    }

    private Heartbeat heartbeat(boolean registering) {
      // Attempts do not run on cluster workers yet: every slot is free.
      ActorRef<ToWorker> self = ctx.getSelf().narrow();
      return new Heartbeat(settings.workerId(), settings.address(), settings.slots(),
          settings.slots(), List.of(), fence.term(), registering, self);
    }
  }
}
