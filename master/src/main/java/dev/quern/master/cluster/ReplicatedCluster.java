package dev.quern.master.cluster;

import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.engine.WorkerView;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A master's view of the cluster for its HTTP API and UI: the jobs of its applied copy of the
 * replicated book ({@link BookViews}), the workers the leader knows ({@link LeaderWorkers}: asked of
 * the leader on other masters), and kills handed to the job leader.
 */
final class ReplicatedCluster implements LiveCluster {
  private final ClusterMonitor monitor;
  private final ClusterBoard board;
  private final BiPredicate<String, String> kill;
  private final MasterProcessConfig config;
  private final RaftMonitor raft;
  private final LeaderWorkers leaderWorkers;
  private final ProgressViews progress;

  /** @param kill asks this master's job leader to kill a job (job id, who asked) */
  ReplicatedCluster(ClusterMonitor monitor, ClusterBoard board, BiPredicate<String, String> kill,
      MasterProcessConfig config, RaftMonitor raft, ProgressViews progress) {
    this.progress = progress;
    this.monitor = monitor;
    this.board = board;
    this.kill = kill;
    this.config = config;
    this.raft = raft;
    this.leaderWorkers = new LeaderWorkers(config, raft, board, java.time.Clock.systemUTC());
  }

  /**
   * Every master of the group with its HTTP address: this one with its role and term, the
   * leader as such, the others as followers (as far as this master knows).
   */
  @Override
  public List<Master> masters() {
    Optional<RaftStatus> s = raft.status();
    Members members = Members.of(config, raft);
    String leader = s.map(x -> members.masterId(x.leader())).orElse("");
    long term = s.map(RaftStatus::term).orElse(0L);
    List<Master> out = new ArrayList<>();
    members.list().forEach(m -> {
      String id = m.name();
      String address = m.raft() == null ? "" : m.raft().toString();
      String role = id.equals(config.id())
          ? s.map(x -> x.role().name().toLowerCase(Locale.ROOT)).orElse("starting")
          : id.equals(leader) ? "leader" : "follower";
      out.add(new Master(role, term, id + " " + board.httpAddress(id).orElse(address)));
    });
    return out;
  }

  @Override
  public List<JobView> jobViews() {
    return monitor.jobs();
  }

  @Override
  public Optional<JobView> jobView(String jobId) {
    return monitor.job(jobId);
  }

  @Override
  public List<WorkerView> workers() {
    return leaderWorkers.workers();
  }

  @Override
  public String progressNote() {
    return progress.note();
  }

  @Override
  public boolean kill(String jobId, String who) {
    return kill.test(jobId, who);
  }

  @Override
  public AutoCloseable addListener(Consumer<ClusterEvent> listener) {
    return monitor.addListener(listener);
  }
}
