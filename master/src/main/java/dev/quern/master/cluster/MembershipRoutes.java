package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.raft.ConfChange;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.worker.cluster.WorkerAgent;
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
 * or 503 while it knows none). The master must be one of {@code --peers} (its Raft node id is its
 * place among them, so every master must list the same ids). {@code join} adds it as a learner
 * with its Raft address; the leader promotes it to voter once it has caught up. {@code remove}
 * takes it out of the configuration (a leader that removes itself steps down once that is
 * committed). Answers 200 with the configuration in force once the change is applied here, 409
 * when Raft refuses it now (another change pending, a transfer running), 400 for a bad request.
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
    try {
      JsonNode body = JSON.readTree(ctx.body());
      change = body.path("change").asText("");
      id = body.path("id").asText("");
    } catch (IOException e) {
      json(ctx, 400, Map.of("error", "unreadable membership change: " + e.getMessage()));
      return;
    }
    if (!change.equals("join") && !change.equals("remove")) {
      json(ctx, 400, Map.of("error", "change must be join or remove, got '" + change + "'"));
      return;
    }
    if (!config.peers().containsKey(id)) {
      json(ctx, 400, Map.of("error", "master '" + id + "' is not one of this master's --peers "
          + config.peers().keySet() + ": every master must list the ids of every master"));
      return;
    }
    long node = config.raftId(id);
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
        ? new ConfChange(ConfChange.Type.ADD_LEARNER, node, "pekko://"
            + WorkerAgent.MASTER_SYSTEM + "@" + config.peers().get(id) + "/user/raft")
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
    return new Changed(change, id, outcome, ids(s.voters()), ids(s.learners()));
  }

  private List<String> ids(List<Long> nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(Optional.of(config.masterId(n)).filter(x -> !x.isEmpty())
        .orElse("node " + n)));
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
