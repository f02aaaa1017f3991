package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.worker.cluster.ClusterWire;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * {@code GET /api/v1/cluster/workers}: the workers page's data, from the leader (another master
 * redirects there, 307, or answers 503): each live worker's slots, running attempts, heartbeat
 * age, whether the scheduler excludes it for every job, and its executor JVMs as its last
 * heartbeat reported them (job, pid, heap, start, running attempts).
 */
final class WorkerExecutorsRoutes {
  static final String PATH = "/api/v1/cluster/workers";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The answer. */
  record Workers(String leaderId, long term, List<Worker> workers) {}

  /**
   * @param heartbeatAgeMillis how long ago the leader last heard from it
   * @param excluded the scheduler excludes it for every job (after failures of several jobs)
   */
  record Worker(String id, String address, int slots, int freeSlots, List<String> running,
      String lastHeartbeat, long heartbeatAgeMillis, boolean excluded, List<Executor> executors) {}

  /**
   * @param started when it started (ISO-8601, the worker's clock)
   * @param generation 1 for the job's first executor on this worker, 2 after one ended, ...
   */
  record Executor(String jobId, long pid, String memory, String started, int running,
      int generation) {}

  private final RaftMonitor monitor;
  private final ClusterBoard board;
  private final ProgressViews progress;
  private final Clock clock;
  private final String masterId;
  private final BiConsumer<Context, String> redirect;

  private WorkerExecutorsRoutes(MasterProcessConfig config, RaftMonitor monitor,
      ClusterBoard board, ProgressViews progress, Clock clock,
      BiConsumer<Context, String> redirect) {
    this.monitor = monitor;
    this.board = board;
    this.progress = progress;
    this.clock = clock;
    this.masterId = config.id();
    this.redirect = redirect;
  }

  static void register(RoutesConfig routes, MasterProcessConfig config, RaftMonitor monitor,
      ClusterBoard board, ProgressViews progress, Clock clock,
      BiConsumer<Context, String> redirect) {
    WorkerExecutorsRoutes r =
        new WorkerExecutorsRoutes(config, monitor, board, progress, clock, redirect);
    routes.get(PATH, r::workers);
  }

  private void workers(Context ctx) {
    Optional<RaftStatus> s = monitor.status();
    ClusterBoard.Workers w = board.workers();
    if (!(s.isPresent() && s.get().isLeader() && s.get().term() == w.term())) {
      redirect.accept(ctx, PATH);
      return;
    }
    long now = clock.millis();
    Set<String> excluded = progress == null ? Set.of() : progress.excluded();
    List<Worker> out = new ArrayList<>();
    for (LiveWorker lw : w.workers()) {
      List<Executor> executors = new ArrayList<>();
      for (ClusterWire.ExecutorReport e : lw.executors()) {
        executors.add(new Executor(e.jobId(), e.pid(), e.memory(),
            Instant.ofEpochMilli(e.startedMillis()).toString(), e.running(), e.generation()));
      }
      out.add(new Worker(lw.id(), lw.address(), lw.slots(), lw.freeSlots(), lw.running(),
          lw.lastHeartbeat().toString(), Math.max(0, now - lw.lastHeartbeat().toEpochMilli()),
          excluded.contains(lw.id()), executors));
    }
    try {
      ctx.status(200).contentType("application/json")
          .result(JSON.writeValueAsString(new Workers(masterId, w.term(), out)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
