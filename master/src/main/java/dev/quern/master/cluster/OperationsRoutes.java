package dev.quern.master.cluster;

import dev.quern.master.engine.LiveCluster;
import dev.quern.raft.node.RaftMonitor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.function.BiConsumer;

/**
 * The operators' routes of a master, registered with one line in {@link ClusterHttp}: attempt
 * logs ({@link AttemptLogRoutes}) and the workers page with their executors ({@link
 * WorkerExecutorsRoutes}). Both are the leader's (it knows the workers); another master
 * redirects.
 */
final class OperationsRoutes {
  private OperationsRoutes() {}

  static void register(RoutesConfig routes, MasterProcessConfig config, RaftMonitor monitor,
      ClusterBoard board, Clock clock, LiveCluster jobs, BookViews book,
      BiConsumer<Context, String> redirect) {
    AttemptLogRoutes.register(routes, monitor, board, jobs, book.history(), redirect,
        config.workerTimeout());
    WorkerExecutorsRoutes.register(routes, config, monitor, board, book.progress(), clock,
        redirect);
  }
}
