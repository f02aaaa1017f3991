package dev.quern.master.http;

import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskView;
import dev.quern.master.engine.WorkerView;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.ClusterTotals;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.MasterDoc;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.master.http.json.StateEvent;
import dev.quern.master.http.json.TaskDoc;
import dev.quern.master.http.json.WorkerDoc;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.local.LocalCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link LocalCluster} as the HTTP API sees it: documents are built from the cluster's monitoring
 * views on every call, and the cluster's snapshots are turned into state-change events.
 *
 * <p>The cluster may still be starting (so that a command can start its UI alongside): reads then
 * wait for it, and subscriptions attach to it once it is up, before it can have run a job.
 */
public final class LocalClusterSource implements MonitoringSource {
  private final CompletableFuture<? extends LiveCluster> starting;

  public LocalClusterSource(LiveCluster cluster) {
    this(CompletableFuture.completedFuture(cluster));
  }

  public LocalClusterSource(CompletableFuture<? extends LiveCluster> starting) {
    this.starting = starting;
  }

  private LiveCluster live() {
    return starting.join();
  }

  @Override
  public ClusterDoc cluster() {
    List<JobView> jobs = live().jobViews();
    Map<String, long[]> runFailed = new HashMap<>();
    for (JobView j : jobs) {
      for (TaskView t : tasksOf(j)) {
        for (AttemptView a : t.attempts()) {
          long[] rf = runFailed.computeIfAbsent(a.workerId(), w -> new long[2]);
          rf[0]++;
          if (a.state() == AttemptState.FAILED) {
            rf[1]++;
          }
        }
      }
    }
    List<WorkerDoc> workers = new ArrayList<>();
    int slots = 0;
    int busy = 0;
    List<WorkerView> byId = new ArrayList<>(live().workers());
    byId.sort(java.util.Comparator.comparing(WorkerView::workerId));
    for (WorkerView w : byId) {
      long[] rf = runFailed.getOrDefault(w.workerId(), new long[2]);
      workers.add(new WorkerDoc(w.workerId(), w.host(), w.slots(), w.runningAttempts().size(),
          w.lastReportTime(), rf[0], rf[1]));
      slots += w.slots();
      busy += w.runningAttempts().size();
    }
    List<JobDoc> docs = jobs.stream().map(this::job).toList();
    List<MasterDoc> masters = live().masters().stream()
        .map(m -> new MasterDoc(m.role(), m.term(), m.address())).toList();
    return new ClusterDoc("live", masters,
        workers, new ClusterTotals(1, workers.size(), slots, busy, JobStates.count(docs)));
  }

  @Override
  public List<JobDoc> jobs() {
    List<JobDoc> out = new ArrayList<>(live().jobViews().stream()
        .map(this::job).toList());
    java.util.Collections.reverse(out); // newest first
    return out;
  }

  @Override
  public Optional<JobDoc> job(String id) {
    return live().jobView(id).map(this::job);
  }

  @Override
  public Optional<List<TaskDoc>> tasks(String id) {
    return live().jobView(id).map(j -> tasksOf(j).stream().map(LocalClusterSource::task)
        .toList());
  }

  @Override
  public KillOutcome kill(String id) {
    return kill(id, "killed through the HTTP API");
  }

  @Override
  public KillOutcome kill(String id, String who) {
    Optional<JobView> j = live().jobView(id);
    if (j.isEmpty()) {
      return KillOutcome.notFound(id);
    }
    if (j.get().state().isFinal() || j.get().state() == JobState.COMMITTING) {
      return KillOutcome.notRunning(id, "it is " + j.get().state());
    }
    return live().kill(id, who) ? KillOutcome.killing(id)
        : KillOutcome.notRunning(id, "it ended or began committing meanwhile");
  }

  @Override
  public Subscription subscribe(Consumer<StateEvent> listener) {
    PendingSubscription subscription = new PendingSubscription(new JobChangeDetector(listener));
    // Runs now if the cluster is up, else on the starting thread as it completes the future.
    starting.thenAccept(subscription::attach);
    return subscription;
  }

  /** A listener that attaches when the cluster is up, unless closed before. */
  private static final class PendingSubscription implements Subscription {
    private final JobChangeDetector detector;
    private AutoCloseable handle;
    private boolean closed;

    PendingSubscription(JobChangeDetector detector) {
      this.detector = detector;
    }

    synchronized void attach(LiveCluster cluster) {
      if (!closed) {
        handle = cluster.addListener(detector::onEvent);
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (handle != null) {
        try {
          handle.close();
        } catch (Exception e) {
          throw new IllegalStateException("cannot remove the cluster listener", e);
        }
      }
    }
  }

  private static List<TaskView> tasksOf(JobView j) {
    List<TaskView> all = new ArrayList<>(j.maps());
    all.addAll(j.reduces());
    return all;
  }

  private JobDoc job(JobView j) {
    Long start = time(j.startTime());
    Long end = time(j.endTime());
    Long duration = start == null ? null
        : (end == null ? System.currentTimeMillis() : end) - start;
    JobSpec spec = j.spec();
    return new JobDoc(j.id(), j.name(), j.user(), j.state().name(), time(j.submitTime()), start,
        end, duration, spec.inputPaths(), j.outputPath(),
        progress(j.maps(), j.mapProgress()), progress(j.reduces(), j.reduceProgress()),
        j.counters(), spec.config(), j.failure(),
        j.state().isFinal() ? null : live().progressNote());
  }

  private static ProgressDoc progress(List<TaskView> tasks, double fraction) {
    int done = 0;
    int running = 0;
    int failed = 0;
    for (TaskView t : tasks) {
      switch (t.state()) {
        case DONE -> done++;
        case RUNNING -> running++;
        default -> { }
      }
      failed += (int) t.attempts().stream().filter(a -> a.state() == AttemptState.FAILED).count();
    }
    return new ProgressDoc(tasks.size(), done, running, failed, fraction);
  }

  static TaskDoc task(TaskView t) {
    return new TaskDoc(t.name(), t.kind().name(), t.index(), t.state().name(), t.input(),
        t.attempts().stream().map(LocalClusterSource::attempt).toList());
  }

  private static AttemptDoc attempt(AttemptView a) {
    boolean reported = a.reported();
    String error = a.error();
    if (a.stackTrace() != null && !a.stackTrace().isBlank()) {
      error = error == null ? a.stackTrace() : error + "\n" + a.stackTrace();
    }
    return new AttemptDoc(a.id(), a.attempt(), a.workerId(), time(a.startTime()),
        time(a.endTime()), a.state().name(), a.progress(), reported ? a.records() : null,
        reported ? a.bytes() : null, reported ? a.outputRecords() : null,
        reported ? a.outputBytes() : null, error);
  }

  private static Long time(long epochMillis) {
    return epochMillis < 0 ? null : epochMillis;
  }
}
