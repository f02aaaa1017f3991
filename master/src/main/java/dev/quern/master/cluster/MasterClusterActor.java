package dev.quern.master.cluster;

import dev.quern.raft.RaftStatus;
import dev.quern.raft.Role;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.MasterHello;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.Refused;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.WorkerAgent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master's cluster actor ({@code /user/cluster}): answers workers' heartbeats, and while this
 * master leads keeps the live workers as soft state, dropping one whose heartbeats stopped for
 * the worker timeout. The workers are forgotten whenever the master does not lead, and start
 * afresh in each term it leads in: a worker that kept heartbeating another leader meanwhile
 * registers again. A master that does not lead answers with who does. Every master remembers
 * the workers that heartbeat it (each also heartbeats the masters that do not lead, now and
 * then), and one that starts to lead tells them at once ({@link NotLeader} naming itself), so
 * the workers of a dead leader register with the next one as soon as it is elected instead of
 * after their leader timeout. It also announces this master's HTTP address to the others.
 */
public final class MasterClusterActor {
  private static final Logger log = LoggerFactory.getLogger(MasterClusterActor.class);

  /**
   * @param httpAddress this master's HTTP endpoint, {@code host:port}
   * @param checkInterval how often leadership and worker liveness are checked
   */
  public record Settings(MasterProcessConfig config, String httpAddress, RaftMonitor monitor,
      Duration checkInterval, Clock clock) {}

  private enum Tick { INSTANCE }

  /**
   * How long a master remembers a worker it heard from, to tell it when it starts to lead;
   * longer than the workers' pace of heartbeats to the masters that do not lead
   * ({@code WorkerAgent.FOLLOWERS_EVERY} heartbeats).
   */
  static final Duration KNOWN_FOR = Duration.ofSeconds(60);

  /** @param leader this master's job leader: it hears of workers and their attempts */
  public static Behavior<Object> create(Settings settings, ClusterBoard board,
      ActorRef<JobLeader.Command> leader) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate(Tick.INSTANCE, settings.checkInterval());
      Registry r = new Registry(ctx, settings, board, leader);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Tick.INSTANCE, r::onTick)
          .onMessage(Heartbeat.class, r::onHeartbeat)
          .onMessage(MasterHello.class, r::onHello)
          .onMessage(Refused.class, r::onRefused)
          .onMessage(ToMaster.class, m -> {
            leader.tell(new JobLeader.FromWorker(m)); // an attempt's report or question
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static final class Registry {
    private final ActorContext<Object> ctx;
    private final Settings settings;
    private final ClusterBoard board;
    private final ActorRef<JobLeader.Command> leader;
    private final MasterProcessConfig config;
    /** The other masters' cluster actors, by Raft address, resolved once each. */
    private final Map<String, ActorRef<ToMaster>> peers = new HashMap<>();
    private final ActorRefResolver resolver;
    private final Map<String, Entry> workers = new HashMap<>();
    /** The term this master leads in, or 0 while it does not. */
    private long leadingTerm;
    /** The Raft role seen at the last check: a change to a campaign is logged (failover timeline). */
    private Role lastRole;
    /** The leader's id at the last check, while this master followed it. */
    private String lastLeader = "";
    private long lastLeaderNode = dev.quern.raft.RaftCore.NONE;
    private long lastHello;
    /** The directory last sent to every worker while leading. */
    private ClusterWire.MasterDirectory lastDirectory;

    private record Entry(LiveWorker worker, long lastNanos) {}

    /**
     * Every worker that heartbeat this master in the last {@link #KNOWN_FOR}, leading or not, by
     * id: those a new leader tells that it leads.
     */
    private final Map<String, Known> known = new HashMap<>();

    private record Known(ActorRef<ClusterWire.ToWorker> worker, long lastNanos) {}

    Registry(ActorContext<Object> ctx, Settings settings, ClusterBoard board,
        ActorRef<JobLeader.Command> leader) {
      this.ctx = ctx;
      this.settings = settings;
      this.board = board;
      this.leader = leader;
      this.config = settings.config();
      this.resolver = ActorRefResolver.get(ctx.getSystem());
      board.announce(config.id(), settings.httpAddress());
      board.attach(ctx.getSystem()); // the HTTP threads ask workers from it (attempt logs)
    }

    Behavior<Object> onTick() {
      checkLeadership();
      if (leadingTerm != 0) {
        long now = System.nanoTime();
        long timeout = config.workerTimeout().toNanos();
        boolean changed = workers.values().removeIf(e -> {
          if (now - e.lastNanos() > timeout) {
            log.info("worker {} is dead: no heartbeat for {} ms", e.worker().id(),
                (now - e.lastNanos()) / 1_000_000);
            leader.tell(new JobLeader.WorkerLost(e.worker().id()));
            return true;
          }
          return false;
        });
        if (changed) {
          publish();
        }
        ClusterWire.MasterDirectory d = directory();
        if (!d.equals(lastDirectory)) {
          // A master joined or left, or announced its HTTP address: every worker hears of it.
          lastDirectory = d;
          workers.values().forEach(e -> e.worker().ref().tell(d));
        }
      }
      if (System.nanoTime() - lastHello >= config.helloInterval().toNanos()) {
        lastHello = System.nanoTime();
        MasterHello hello = new MasterHello(config.id(), settings.httpAddress());
        // The members as the log says now (a master added later included); while this one is
        // not a member yet (joining), --peers too: it must learn the leader's HTTP address.
        java.util.Set<String> to = new java.util.TreeSet<>();
        Members members = members();
        members.list().forEach(m -> {
          if (m.raft() != null && !m.raft().equals(config.raft())) {
            to.add(m.raft().toString());
          }
        });
        if (!members.selfIsMember()) {
          config.peers().values().forEach(a -> {
            if (!a.equals(config.raft())) {
              to.add(a.toString());
            }
          });
        }
        to.forEach(a -> peers.computeIfAbsent(a,
            x -> resolver.resolveActorRef(WorkerAgent.masterPath(x))).tell(hello));
      }
      return Behaviors.same();
    }

    Behavior<Object> onHeartbeat(Heartbeat h) {
      known.put(h.workerId(), new Known(h.replyTo(), System.nanoTime()));
      Optional<RaftStatus> status = checkLeadership();
      if (leadingTerm == 0) {
        long term = status.map(RaftStatus::term).orElse(0L);
        Members members = members();
        String leader = status.map(s -> members.masterId(s.leader())).orElse("");
        String address = leader.isEmpty() ? ""
            : members.raftAddress(leader).map(Object::toString).orElse("");
        h.replyTo().tell(new NotLeader(config.id(), term, leader, address));
        return Behaviors.same();
      }
      Instant now = settings.clock().instant();
      Entry old = workers.get(h.workerId());
      if (old == null) {
        log.info("worker {} registered ({}, {} slots, term {}{})", h.workerId(), h.address(),
            h.slots(), leadingTerm, h.registering() ? "" : ", was with another leader");
      }
      Instant registered = old == null ? now : old.worker().registered();
      workers.put(h.workerId(), new Entry(new LiveWorker(h.workerId(), h.address(), h.slots(),
          h.freeSlots(), h.running(), registered, now, h.http(), h.replyTo(), h.executors()),
          System.nanoTime()));
      h.replyTo().tell(new Accepted(leadingTerm, config.id(), ctx.getSelf().narrow()));
      if (old == null || h.registering()) {
        h.replyTo().tell(directory());
      }
      leader.tell(new JobLeader.WorkerSeen(leadingTerm, h.workerId(),
          h.address().replaceFirst(":\\d+$", ""), h.slots(), h.running(), h.registering(),
          h.replyTo()));
      publish();
      return Behaviors.same();
    }

    Behavior<Object> onHello(MasterHello h) {
      // Any master that says hello: a member, or one joining (its address is in the log once
      // the leader adds it); the board only maps ids to HTTP addresses.
      if (!h.masterId().equals(config.id())) {
        board.announce(h.masterId(), h.httpAddress());
      }
      return Behaviors.same();
    }

    /** A worker follows a newer leader: this master was deposed, and Raft will tell it soon. */
    Behavior<Object> onRefused(Refused r) {
      log.warn("worker {} refused master {}'s message: it follows {} in term {}", r.workerId(),
          config.id(), r.leaderId(), r.term());
      if (workers.remove(r.workerId()) != null) {
        leader.tell(new JobLeader.WorkerLost(r.workerId()));
      }
      publish();
      return Behaviors.same();
    }

    /**
     * Where workers fetch stored jars (the members' HTTP addresses as known now) and which
     * masters they heartbeat (the members' Artery addresses).
     */
    private ClusterWire.MasterDirectory directory() {
      List<String> http = new ArrayList<>();
      List<String> raft = new ArrayList<>();
      Members members = members();
      members.ids().forEach(id -> board.httpAddress(id).ifPresent(http::add));
      members.list().forEach(m -> {
        if (m.raft() != null) {
          raft.add(m.raft().toString());
        }
      });
      return new ClusterWire.MasterDirectory(leadingTerm, config.id(), http, raft);
    }

    private Members members() {
      return Members.of(config, settings.monitor());
    }

    /** Follows the Raft node's role: a new term of leadership starts with no workers. */
    private Optional<RaftStatus> checkLeadership() {
      Optional<RaftStatus> status = settings.monitor().status();
      status.ifPresent(this::noteRole);
      long term = status.filter(RaftStatus::isLeader).map(RaftStatus::term).orElse(0L);
      if (term != leadingTerm) {
        if (term != 0) {
          log.info("master {} leads in term {}; waiting for workers' heartbeats (told {})",
              config.id(), term, tellWorkers(term));
        } else {
          log.info("master {} no longer leads; forgetting {} worker(s)", config.id(), workers.size());
        }
        leadingTerm = term;
        workers.clear();
        publish();
      }
      return status;
    }

    /**
     * Logs the start of a campaign (the first step of a failover after the leader's silence for
     * an election timeout), seen within {@code checkInterval}: with the new leader's own "leads
     * in term" line and the workers' registrations, the failover's timeline is in the logs.
     */
    private void noteRole(RaftStatus s) {
      Role role = s.role();
      if (role != lastRole && (role == Role.PRE_CANDIDATE || role == Role.CANDIDATE)) {
        log.info("master {} campaigns ({}) in term {}: heard no leader within its election "
            + "timeout (last leader {})", config.id(), role, s.term(),
            lastLeader.isEmpty() ? "none" : lastLeader);
      }
      lastRole = role;
      if (role == Role.FOLLOWER && s.leader() != dev.quern.raft.RaftCore.NONE
          && s.leader() != lastLeaderNode) {
        lastLeaderNode = s.leader();
        lastLeader = members().masterId(s.leader());
      }
    }

    /**
     * Tells the workers heard from lately that this master leads in {@code term}: a worker that
     * follows an older term's leader registers here at once. Returns how many were told.
     */
    private int tellWorkers(long term) {
      long old = System.nanoTime() - KNOWN_FOR.toNanos();
      known.values().removeIf(k -> k.lastNanos() - old < 0);
      NotLeader leads = new NotLeader(config.id(), term, config.id(), config.raft().toString());
      known.values().forEach(k -> k.worker().tell(leads));
      return known.size();
    }

    private void publish() {
      List<LiveWorker> live = new ArrayList<>();
      workers.values().forEach(e -> live.add(e.worker()));
      live.sort(Comparator.comparing(LiveWorker::id));
      board.publish(new ClusterBoard.Workers(leadingTerm, live));
    }
  }
}
