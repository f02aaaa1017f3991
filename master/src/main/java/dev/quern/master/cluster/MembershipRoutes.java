package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.raft.ConfChange;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.worker.cluster.Loopback.HostPort;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code POST /api/cluster/members} with {@code {"change": "join"|"remove", "id": "m3"}}: one
 * membership change of the Raft group, on the leader (another master answers 307 to the leader,
 * or 503 while it knows none). A joining master also gives {@code "raft": "HOST:PORT"} and
 * {@code "node"}, its Raft node id ({@link RaftIds}; both default to what this master's
 * {@code --peers} says of the id). {@code join} adds it as a learner with its address
 * ({@link Members#address}: every master learns the new one from the log); the leader promotes
 * it to voter once it has caught up. {@code remove}
 * takes it out of the configuration (a leader that removes itself steps down once that is
 * committed). Answers 200 with the configuration in force once the change is applied here, 409
 * when Raft refuses it now (another change pending, a transfer running), 400 for a bad request
 * (an id still a member under another node id: a master that rejoins on a new disk after its
 * data directory was made anew must be removed first).
 * One change at a time: Raft's single-server changes.
 */
final class MembershipRoutes {
  static final String MEMBERS = "/api/cluster/members";
  private static final Duration ASK = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The answer: what was done and the configuration in force after it. */
  record Changed(String change, String id, String outcome, List<String> voters,
      List<String> learners) {}

  /** How the HTTP threads reach the Raft node, attached once the actor system runs. */
  static final class Port {
    private volatile ActorSystem<?> system;
    private volatile ActorRef<RaftNodeActor.Command> raft;

    void attach(ActorSystem<?> system, ActorRef<RaftNodeActor.Command> raft) {
      this.system = system;
      this.raft = raft;
    }

    RaftNodeActor.ProposeReply change(ConfChange change) throws InterruptedException {
      ActorSystem<?> s = system;
      ActorRef<RaftNodeActor.Command> r = raft;
      if (s == null || r == null) {
        return new RaftNodeActor.RetryLater("this master is still starting");
      }
      try {
        return AskPattern.<RaftNodeActor.Command, RaftNodeActor.ProposeReply>ask(r,
                replyTo -> new RaftNodeActor.ChangeMembership(change, replyTo), ASK, s.scheduler())
            .toCompletableFuture().get(ASK.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return new RaftNodeActor.RetryLater("the change was not applied within " + ASK.toSeconds()
            + " s (is a majority of voters up?)");
      }
    }
  }

  private final MasterProcessConfig config;
  private final RaftMonitor monitor;
  private final Port port;

  private MembershipRoutes(MasterProcessConfig config, RaftMonitor monitor, Port port) {
    this.config = config;
    this.monitor = monitor;
    this.port = port;
  }

  /** @param redirect answers a request that only the leader takes, when this master does not lead */
  static void register(RoutesConfig routes, MasterProcessConfig config, RaftMonitor monitor,
      Port port, java.util.function.BiConsumer<Context, String> redirect) {
    MembershipRoutes m = new MembershipRoutes(config, monitor, port);
    routes.post(MEMBERS, ctx -> {
      if (!monitor.status().map(RaftStatus::isLeader).orElse(false)) {
        redirect.accept(ctx, MEMBERS);
        return;
      }
      m.change(ctx);
    });
  }

  private void change(Context ctx) throws InterruptedException {
    String change;
    String id;
    String raftText;
    long requested;
    try {
      JsonNode body = JSON.readTree(ctx.body());
      change = body.path("change").asText("");
      id = body.path("id").asText("");
      raftText = body.path("raft").asText("");
      requested = body.path("node").asLong(0);
    } catch (IOException e) {
      json(ctx, 400, Map.of("error", "unreadable membership change: " + e.getMessage()));
      return;
    }
    if (!change.equals("join") && !change.equals("remove")) {
      json(ctx, 400, Map.of("error", "change must be join or remove, got '" + change + "'"));
      return;
    }
    if (id.isBlank()) {
      json(ctx, 400, Map.of("error", "no master id given"));
      return;
    }
    Members members = Members.of(config, monitor);
    Optional<Members.Member> current = members.byId(id);
    long node;
    HostPort raft;
    if (change.equals("remove")) {
      node = current.map(Members.Member::node).orElse(0L);
      raft = null;
    } else {
      try {
        raft = !raftText.isBlank() ? HostPort.parse("raft", raftText)
            : current.map(Members.Member::raft).or(() -> Optional.ofNullable(config.peers()
                .get(id))).orElseThrow(() -> new IllegalArgumentException("master '" + id
                + "' is not one of this master's --peers " + config.peers().keySet()
                + ": give its Raft address (\"raft\": \"HOST:PORT\")"));
      } catch (IllegalArgumentException e) {
        json(ctx, 400, Map.of("error", e.getMessage()));
        return;
      }
      node = requested > 0 ? requested : config.peers().containsKey(id)
          ? RaftIds.peer(config.peers(), id, members.self()) : RaftIds.of(id);
      if (current.isPresent() && current.get().node() != node) {
        json(ctx, 400, Map.of("error", "master '" + id + "' is still a member as raft node "
            + current.get().node() + "; remove it first (quern master --remove " + id + ")"));
        return;
      }
      Optional<Members.Member> other = members.byNode(node).filter(m -> !m.id().equals(id));
      if (other.isPresent()) {
        json(ctx, 400, Map.of("error", "raft node " + node + " of master '" + id
            + "' is already master '" + other.get().name() + "'s; use another id"));
        return;
      }
    }
    RaftStatus s = monitor.status().orElseThrow();
    boolean voter = s.voters().contains(node);
    boolean learner = s.learners().contains(node);
    if (change.equals("join") && voter || change.equals("remove") && !voter && !learner) {
      json(ctx, 200, changed(change, id, change.equals("join") ? "already a voter"
          : "not a member", s));
      return;
    }
    if (change.equals("join") && learner) {
      json(ctx, 200, changed(change, id, "a learner, promoted to voter once it has caught up", s));
      return;
    }
    ConfChange cc = change.equals("join")
        ? new ConfChange(ConfChange.Type.ADD_LEARNER, node, Members.address(raft, id))
        : new ConfChange(ConfChange.Type.REMOVE_NODE, node);
    RaftNodeActor.ProposeReply reply = port.change(cc);
    if (reply instanceof RaftNodeActor.Applied) {
      RaftStatus after = published(node, change.equals("join"), s);
      json(ctx, 200, changed(change, id, change.equals("join")
          ? "added as a learner; promoted to voter once it has caught up" : "removed", after));
    } else if (reply instanceof RaftNodeActor.RetryLater r) {
      json(ctx, 409, Map.of("error", r.reason()));
    } else if (reply instanceof RaftNodeActor.NotLeader) {
      json(ctx, 503, Map.of("error", "master " + config.id() + " stopped leading; ask again"));
    } else {
      json(ctx, 503, Map.of("error", "the change was not applied (" + reply + "); ask again"));
    }
  }

  /**
   * The status once the node has published the applied change (it publishes after the batch in
   * which it answered, so a moment later); at most a second's wait, then the latest status.
   */
  private RaftStatus published(long node, boolean joined, RaftStatus before)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    RaftStatus s = before;
    while (System.nanoTime() - deadline < 0) {
      s = monitor.status().orElse(before);
      boolean member = s.voters().contains(node) || s.learners().contains(node);
      if (member == joined) {
        return s;
      }
      Thread.sleep(10);
    }
    return s;
  }

  private Changed changed(String change, String id, String outcome, RaftStatus s) {
    Members members = Members.of(config, monitor);
    return new Changed(change, id, outcome, ids(members, s.voters()),
        ids(members, s.learners()));
  }

  private static List<String> ids(Members members, List<Long> nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(Optional.of(members.masterId(n)).filter(x -> !x.isEmpty())
        .orElse("node " + n)));
    out.sort(null);
    return out;
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
