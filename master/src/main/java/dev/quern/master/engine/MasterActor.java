package dev.quern.master.engine;

import dev.quern.api.JobState;
import dev.quern.api.io.InputSplit;
import dev.quern.master.commit.CommitCoordinator;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.commit.SuccessFile;
import dev.quern.master.engine.JobEvent.AttemptFailed;
import dev.quern.master.engine.JobEvent.AttemptKilled;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.CommitGranted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobCommitting;
import dev.quern.master.engine.JobEvent.JobFailed;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.master.engine.JobEvent.JobSucceeded;
import dev.quern.master.engine.JobEvent.MapDone;
import dev.quern.master.engine.JobEvent.MapOutputLost;
import dev.quern.master.engine.JobEvent.TaskCommitted;
import dev.quern.master.engine.MasterCommand.FromWorker;
import dev.quern.master.engine.MasterCommand.JobCommitFinished;
import dev.quern.master.engine.MasterCommand.KillJob;
import dev.quern.master.engine.MasterCommand.SubmitJob;
import dev.quern.master.engine.MasterCommand.WorkerGone;
import dev.quern.master.engine.Outcome.Applied;
import dev.quern.master.engine.Outcome.Rejected;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.actor.WorkerCommand;
import dev.quern.worker.actor.WorkerCommand.KillTask;
import dev.quern.worker.actor.WorkerCommand.RunTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.actor.WorkerReport.AttemptProgress;
import dev.quern.worker.actor.WorkerReport.AttemptRunning;
import dev.quern.worker.actor.WorkerReport.AttemptSucceeded;
import dev.quern.worker.actor.WorkerReport.CanCommit;
import dev.quern.worker.actor.WorkerReport.CommitAnswer;
import dev.quern.worker.actor.WorkerReport.Register;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master: owns the {@link JobBook} (changed only through {@link #apply}) and schedules on it.
 * Worker liveness, free slots and attempt progress are soft state kept beside the book. After
 * each message, the views of the jobs it changed are published to the {@link ClusterMonitor}.
 *
 * <p>Scheduling: map tasks first, largest split first, each to the live worker with the most free
 * slots; reduce tasks once every map is done. A failed attempt is retried until the task has
 * failed {@code quern.task.max-attempts} times, then the job fails with the task's last error. A
 * reduce that finds a map output unusable re-runs that map task and is retried. A worker that
 * stops has its running attempts killed in the book, so their tasks are scheduled again.
 */
public final class MasterActor extends AbstractBehavior<MasterCommand> {
  private static final Logger log = LoggerFactory.getLogger(MasterActor.class);

  private final Settings settings;
  private final ClusterMonitor monitor;
  private final JobBook book = new JobBook();
  private final ActorRef<WorkerReport> reports;
  private final ExecutorService files;
  private final Map<String, WorkerSlots> workers = new LinkedHashMap<>();
  private final Map<TaskAttemptId, Float> progress = new HashMap<>();
  private final Map<TaskAttemptId, Long> lastHeard = new HashMap<>();
  /** The submitted split objects of each live job, handed to its map tasks as they are. */
  private final Map<String, List<InputSplit>> liveSplits = new HashMap<>();
  private final Set<String> speculated = new HashSet<>();
  private final Set<String> dirtyJobs = new LinkedHashSet<>();
  private boolean workersDirty;

  /**
   * @param workDir the cluster's scratch root: map outputs live in {@code workDir/<job>/<attempt>}
   * @param clock the source of every event's time
   * @param journal receives every applied event, in order
   */
  public record Settings(Path workDir, Clock clock, JobJournal journal) {}

  private static final class WorkerSlots {
    final String id;
    final String host;
    final int slots;
    final ActorRef<WorkerCommand> ref;
    final Set<TaskAttemptId> running = new LinkedHashSet<>();
    /** Epoch millis of the last message heard from the worker, and of the last one published. */
    long lastReport;
    long publishedReport;

    WorkerSlots(String id, String host, int slots, ActorRef<WorkerCommand> ref, long now) {
      this.id = id;
      this.host = host;
      this.slots = slots;
      this.ref = ref;
      this.lastReport = now;
      this.publishedReport = now;
    }

    int free() {
      return slots - running.size();
    }
  }

  private static final java.time.Duration TIMEOUT_TICK = java.time.Duration.ofMillis(250);

  public static Behavior<MasterCommand> create(Settings settings, ClusterMonitor monitor) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new MasterCommand.CheckTimeouts(), TIMEOUT_TICK);
      return new MasterActor(ctx, settings, monitor);
    }));
  }

  private MasterActor(ActorContext<MasterCommand> ctx, Settings settings, ClusterMonitor monitor) {
    super(ctx);
    this.settings = settings;
    this.monitor = monitor;
    this.reports = ctx.messageAdapter(WorkerReport.class, FromWorker::new);
    this.files = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "quern-master-files");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Receive<MasterCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(SubmitJob.class, m -> after(() -> onSubmit(m)))
        .onMessage(KillJob.class, m -> after(() -> onKill(m)))
        .onMessage(FromWorker.class, m -> after(() -> onReport(m.report())))
        .onMessage(WorkerGone.class, m -> after(() -> onWorkerGone(m.workerId())))
        .onMessage(JobCommitFinished.class, m -> after(() -> onCommitFinished(m)))
        .onMessage(MasterCommand.CheckTimeouts.class, m -> after(this::onCheckTimeouts))
        .onMessage(MasterCommand.GetReportPort.class, m -> {
          m.replyTo().tell(reports);
          return this;
        })
        .onSignal(PostStop.class, s -> {
          files.shutdown();
          return this;
        })
        .build();
  }

  /** Handles one message, then schedules and publishes what changed. */
  private Behavior<MasterCommand> after(Runnable handler) {
    handler.run();
    schedule();
    publish();
    return this;
  }

  private long now() {
    return settings.clock().millis();
  }

  /**
   * Applies an event the scheduler checked, so a rejection is a bug: it is logged, and the book
   * stays as it was.
   */
  private Outcome apply(JobEvent event) {
    Outcome outcome = book.apply(event);
    if (outcome instanceof Applied a) {
      settings.journal().append(event);
      dirtyJobs.add(a.jobId());
      if (book.job(a.jobId()).state().isFinal()) {
        liveSplits.remove(a.jobId());
      }
      log.debug("applied {}", event);
    } else if (outcome instanceof Rejected r) {
      log.error("the job book rejected {}: {} (a scheduler bug)", event, r.reason());
    }
    return outcome;
  }

  // ---- submission and kill -------------------------------------------------------------------

  private void onSubmit(SubmitJob m) {
    Outcome accepted = apply(new JobAccepted(m.spec(), m.planned(), now()));
    if (!(accepted instanceof Applied a)) {
      m.replyTo().tell(new SubmitAnswer.Refused(((Rejected) accepted).reason()));
      return;
    }
    String jobId = a.jobId();
    liveSplits.put(jobId, m.splits());
    m.onAccepted().accept(jobId);
    try {
      JobCommitter.setupJob(m.spec().outputPath());
    } catch (Exception e) {
      apply(new JobFailed(jobId, "cannot create the output directory "
          + m.spec().outputPath() + ": " + e, now()));
    }
    BookJob job = book.job(jobId);
    if (!job.state().isFinal() && job.allTasksDone()) {
      startCommit(job); // no input and no reduce tasks
    }
    // Published before answering, so the submitter can read the job's status at once.
    schedule();
    publish();
    m.replyTo().tell(new SubmitAnswer.Accepted(monitor.job(jobId).orElseThrow()));
  }

  private void onKill(KillJob m) {
    BookJob job = book.job(m.jobId());
    if (job == null || job.state().isFinal() || job.state() == JobState.COMMITTING) {
      m.replyTo().tell(false);
      return;
    }
    endJob(job, new JobKilled(job.id(), now()));
    publish(); // so that a status read right after kill() returns sees KILLED
    m.replyTo().tell(true);
  }

  // ---- worker reports ------------------------------------------------------------------------

  /** Progress reports come every few hundred ms; the worker list is republished at most 1/s. */
  private static final long REPORT_TIME_STEP_MS = 1_000;

  private void onReport(WorkerReport report) {
    heardFrom(report);
    if (report instanceof Register r) {
      workers.put(r.workerId(), new WorkerSlots(r.workerId(), r.host(), r.slots(), r.worker(),
          now()));
      getContext().watchWith(r.worker(), new WorkerGone(r.workerId()));
      workersDirty = true;
      log.info("worker {} registered with {} slot(s)", r.workerId(), r.slots());
    } else if (report instanceof AttemptRunning r) {
      BookAttempt a = attempt(r.attempt());
      if (a != null && a.isRunning()) {
        progress.putIfAbsent(r.attempt(), 0f);
        lastHeard.put(r.attempt(), now());
      }
    } else if (report instanceof AttemptProgress r) {
      BookAttempt a = attempt(r.attempt());
      if (a != null && a.isRunning()) {
        progress.put(r.attempt(), r.fraction());
        lastHeard.put(r.attempt(), now());
        dirtyJobs.add(r.attempt().jobId());
      }
    } else if (report instanceof AttemptSucceeded r) {
      freeSlot(r.workerId(), r.attempt());
      onSucceeded(r.attempt(), r.result());
    } else if (report instanceof WorkerReport.AttemptFailed r) {
      freeSlot(r.workerId(), r.attempt());
      onFailed(r);
    } else if (report instanceof WorkerReport.AttemptKilled r) {
      freeSlot(r.workerId(), r.attempt());
      if (isLive(r.attempt())) {
        apply(new AttemptKilled(r.attempt(), r.reason(), now()));
      } else {
        cleanUpIfEnded(r.attempt().jobId());
      }
    } else if (report instanceof CanCommit r) {
      onCanCommit(r);
    }
  }

  private void onSucceeded(TaskAttemptId id, TaskResult result) {
    if (!isLive(id)) {
      cleanUpIfEnded(id.jobId());
      return;
    }
    BookJob job = book.job(id.jobId());
    BookTask task = job.task(id);
    if (id.kind() == TaskKind.MAP && job.spec().reduceTasks() > 0) {
      if (task.isDone() || result.mapOutput() == null) {
        apply(new AttemptKilled(id, task.isDone()
            ? "another attempt of " + task.name() + " finished first"
            : "map attempt reported no output", now()));
        return;
      }
      apply(new MapDone(id, result.mapOutput(), result.counters(), now()));
    } else {
      if (!id.equals(task.grantedAttempt())) {
        apply(new AttemptKilled(id, "finished without holding the commit grant", now()));
        return;
      }
      apply(new TaskCommitted(id, result.counters(), now()));
    }
    killOtherAttempts(task, "another attempt of " + task.name() + " committed");
    if (job.allTasksDone()) {
      startCommit(job);
    }
  }

  private void onFailed(WorkerReport.AttemptFailed r) {
    TaskAttemptId id = r.attempt();
    if (!isLive(id)) {
      cleanUpIfEnded(id.jobId());
      return;
    }
    BookJob job = book.job(id.jobId());
    BookTask task = job.task(id);
    MapOutputRef lost = r.lostOutput();
    if (lost != null && id.kind() == TaskKind.REDUCE) {
      log.warn("{} lost map output {}: {}", id, lost.attempt(), r.message());
      apply(new MapOutputLost(id, lost.mapIndex(), lost.attempt(), r.message(), now()));
      int bound = 2 * job.maxAttempts();
      if (task.inputLosses() > bound) {
        endJob(job, new JobFailed(job.id(), "task " + task.name() + " lost its input "
            + task.inputLosses() + " times; last: " + r.message(), now()));
      }
      return;
    }
    fail(job, task, id, r.workerId(), r.message(), r.stackTrace());
  }

  /** Records a counted failure; fails the job when the task has no attempts left. */
  private void fail(BookJob job, BookTask task, TaskAttemptId id, String workerId,
      String message, String stackTrace) {
    apply(new AttemptFailed(id, message, stackTrace, now()));
    if (task.failures() >= job.maxAttempts()) {
      String reason = "task " + task.name() + " failed " + task.failures() + " time(s); attempt "
          + id + " on " + workerId + ": " + message
          + (stackTrace == null ? "" : "\n" + stackTrace);
      endJob(job, new JobFailed(job.id(), reason, now()));
    }
  }

  private void onCheckTimeouts() {
    long now = now();
    for (BookJob job : book.jobs()) {
      if (job.state().isFinal() || job.taskTimeout() <= 0) {
        continue;
      }
      for (BookAttempt a : job.runningAttempts()) {
        long heard = lastHeard.getOrDefault(a.id(), a.startTime());
        if (now - heard > job.taskTimeout() && !job.state().isFinal()) {
          log.warn("{} on {} made no progress for {} ms; killing it", a.id(), a.workerId(),
              now - heard);
          sendKill(a, "no progress");
          fail(job, job.task(a.id()), a.id(), a.workerId(), "attempt made no progress for "
              + (now - heard) + " ms (" + EngineKeys.TASK_TIMEOUT + " = " + job.taskTimeout()
              + ")", null);
        }
      }
    }
  }

  private void onCanCommit(CanCommit r) {
    CommitCoordinator.Decision d = CommitCoordinator.decide(book.job(r.attempt().jobId()),
        r.attempt());
    if (d.record()) {
      apply(new CommitGranted(r.attempt(), now()));
    }
    r.replyTo().tell(new CommitAnswer(r.attempt(), d.grant(), d.reason()));
  }

  private void onWorkerGone(String workerId) {
    WorkerSlots w = workers.remove(workerId);
    if (w == null) {
      return;
    }
    workersDirty = true;
    log.warn("worker {} is gone; re-queuing {} attempt(s)", workerId, w.running.size());
    for (TaskAttemptId id : w.running) {
      progress.remove(id);
      lastHeard.remove(id);
      if (isLive(id)) {
        apply(new AttemptKilled(id, "worker " + workerId + " was lost", now()));
      }
    }
  }

  // ---- job commit and end --------------------------------------------------------------------

  private void startCommit(BookJob job) {
    apply(new JobCommitting(job.id(), now()));
    String out = job.spec().outputPath();
    SuccessFile base = new SuccessFile(job.id(), job.spec().name(), job.spec().user(),
        job.submitTime(), job.startTime(), -1, job.counters().asMap());
    String jobId = job.id();
    Path scratch = scratchDir(jobId);
    CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> {
      long end = now();
      try {
        JobCommitter.commitJob(out, new SuccessFile(base.jobId(), base.name(), base.user(),
            base.submitTime(), base.startTime() < 0 ? end : base.startTime(), end,
            base.counters()));
        OutputLayout.deleteTree(scratch);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
      return end;
    }, files);
    getContext().pipeToSelf(done, (end, err) -> err == null
        ? new JobCommitFinished(jobId, end, null)
        : new JobCommitFinished(jobId, now(), "job commit failed: "
            + (err.getCause() != null ? err.getCause() : err)));
  }

  private void onCommitFinished(JobCommitFinished m) {
    BookJob job = book.job(m.jobId());
    if (job == null || job.state() != JobState.COMMITTING) {
      return;
    }
    if (m.error() == null) {
      apply(new JobSucceeded(job.id(), m.endTime()));
      log.info("job {} succeeded", job.id());
    } else {
      endJob(job, new JobFailed(job.id(), m.error(), m.endTime()));
    }
  }

  /** Ends a live job (failed or killed): kill its attempts, record the end, remove its files. */
  private void endJob(BookJob job, JobEvent end) {
    for (BookAttempt a : job.runningAttempts()) {
      sendKill(a, end instanceof JobKilled ? "job killed" : "job failed");
    }
    apply(end);
    log.info("job {} ended {}", job.id(), job.state());
    // Synchronously, so that a published FAILED or KILLED job already shows no _temporary.
    try {
      JobCommitter.abortJob(job.spec().outputPath());
    } catch (Exception e) {
      log.warn("removing the temporary output of job {} failed", job.id(), e);
    }
    cleanUpIfEnded(job.id());
  }

  /** Removes what a straggler attempt of a failed or killed job may have left. */
  private void cleanUpIfEnded(String jobId) {
    BookJob job = book.job(jobId);
    if (job == null || !(job.state() == JobState.FAILED || job.state() == JobState.KILLED)) {
      return;
    }
    String out = job.spec().outputPath();
    Path scratch = scratchDir(jobId);
    files.execute(() -> {
      try {
        JobCommitter.abortJob(out);
        OutputLayout.deleteTree(scratch);
      } catch (Exception e) {
        log.warn("cleaning up job {} failed", jobId, e);
      }
    });
  }

  // ---- scheduling ----------------------------------------------------------------------------

  private void schedule() {
    for (BookJob job : book.jobs()) {
      if (job.state() != JobState.ACCEPTED && job.state() != JobState.RUNNING) {
        continue;
      }
      for (BookTask task : readyTasks(job)) {
        WorkerSlots w = freestWorker(null);
        if (w == null) {
          return;
        }
        launch(job, task, w);
      }
    }
    for (BookJob job : book.jobs()) {
      if (job.state() == JobState.RUNNING && job.speculative() && readyTasks(job).isEmpty()) {
        speculate(job);
      }
    }
  }

  private List<BookTask> readyTasks(BookJob job) {
    List<BookTask> ready = new ArrayList<>();
    if (!job.allMapsDone()) {
      for (BookTask t : job.maps()) {
        if (!t.isDone() && t.runningAttempts().isEmpty()) {
          ready.add(t);
        }
      }
      ready.sort(Comparator.comparingLong((BookTask t) -> -job.splits().get(t.index()).length())
          .thenComparingInt(BookTask::index));
      return ready;
    }
    for (BookTask t : job.reduces()) {
      if (!t.isDone() && t.runningAttempts().isEmpty()) {
        ready.add(t);
      }
    }
    return ready;
  }

  /** One extra attempt for each running task without one, on another worker's free slot. */
  private void speculate(BookJob job) {
    List<BookTask> tasks = new ArrayList<>(job.maps());
    tasks.addAll(job.reduces());
    for (BookTask t : tasks) {
      List<BookAttempt> running = t.runningAttempts();
      String key = job.id() + "/" + t.name();
      if (t.isDone() || running.size() != 1 || speculated.contains(key)
          || t.grantedAttempt() != null) {
        continue;
      }
      WorkerSlots w = freestWorker(running.get(0).workerId());
      if (w == null) {
        return;
      }
      speculated.add(key);
      log.info("speculating {} on {}", t.name(), w.id);
      launch(job, t, w);
    }
  }

  private WorkerSlots freestWorker(String excluded) {
    WorkerSlots best = null;
    for (WorkerSlots w : workers.values()) {
      if (w.free() > 0 && !w.id.equals(excluded) && (best == null || w.free() > best.free())) {
        best = w;
      }
    }
    return best;
  }

  private void launch(BookJob job, BookTask task, WorkerSlots w) {
    TaskAttemptId id =
        new TaskAttemptId(job.id(), task.kind(), task.index(), task.nextAttemptNumber());
    apply(new AttemptStarted(id, w.id, now()));
    String out = job.spec().outputPath();
    String work = OutputLayout.attemptDir(out, id).toString();
    String scratch = scratchDir(job.id()).resolve(id.dirName()).toString();
    TaskSpec spec;
    if (task.kind() == TaskKind.MAP) {
      spec = new MapTaskSpec(id, job.spec(), liveSplits.get(job.id()).get(task.index()), scratch,
          work);
    } else {
      List<MapOutputRef> inputs = job.maps().stream().map(BookTask::mapOutput).toList();
      spec = new ReduceTaskSpec(id, job.spec(), task.index(), inputs, scratch, work);
    }
    w.running.add(id);
    workersDirty = true;
    progress.put(id, 0f);
    lastHeard.put(id, now());
    w.ref.tell(new RunTask(spec, reports));
  }

  private void killOtherAttempts(BookTask task, String reason) {
    for (BookAttempt a : task.runningAttempts()) {
      sendKill(a, reason);
      apply(new AttemptKilled(a.id(), reason, now()));
    }
  }

  private void sendKill(BookAttempt a, String reason) {
    WorkerSlots w = workers.get(a.workerId());
    progress.remove(a.id());
    lastHeard.remove(a.id());
    if (w != null && w.running.remove(a.id())) {
      workersDirty = true;
      w.ref.tell(new KillTask(a.id(), reason));
    }
  }

  private void freeSlot(String workerId, TaskAttemptId id) {
    progress.remove(id);
    lastHeard.remove(id);
    WorkerSlots w = workers.get(workerId);
    if (w != null && w.running.remove(id)) {
      workersDirty = true;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Notes when the worker behind {@code report} was last heard from. */
  private void heardFrom(WorkerReport report) {
    // A new worker's entry starts with its registration time.
    String workerId = null;
    if (report instanceof AttemptRunning r) {
      workerId = r.workerId();
    } else if (report instanceof AttemptProgress r) {
      workerId = workerOf(r.attempt());
    } else if (report instanceof AttemptSucceeded r) {
      workerId = r.workerId();
    } else if (report instanceof WorkerReport.AttemptFailed r) {
      workerId = r.workerId();
    } else if (report instanceof WorkerReport.AttemptKilled r) {
      workerId = r.workerId();
    } else if (report instanceof CanCommit r) {
      workerId = workerOf(r.attempt());
    }
    WorkerSlots w = workerId == null ? null : workers.get(workerId);
    if (w != null) {
      w.lastReport = now();
      if (w.lastReport - w.publishedReport >= REPORT_TIME_STEP_MS) {
        workersDirty = true;
      }
    }
  }

  private String workerOf(TaskAttemptId id) {
    BookAttempt a = attempt(id);
    return a == null ? null : a.workerId();
  }

  private Path scratchDir(String jobId) {
    return settings.workDir().resolve(jobId);
  }

  private BookAttempt attempt(TaskAttemptId id) {
    BookJob job = book.job(id.jobId());
    return job == null ? null : job.attempt(id);
  }

  /** Whether the attempt is running in the book, in a job that has not ended. */
  private boolean isLive(TaskAttemptId id) {
    BookJob job = book.job(id.jobId());
    if (job == null || job.state().isFinal()) {
      return false;
    }
    BookAttempt a = job.attempt(id);
    return a != null && a.isRunning();
  }

  private void publish() {
    for (String id : dirtyJobs) {
      BookJob job = book.job(id);
      if (job != null) {
        monitor.publish(JobViews.of(job, progress));
      }
    }
    dirtyJobs.clear();
    if (workersDirty) {
      workersDirty = false;
      List<WorkerView> views = new ArrayList<>();
      for (WorkerSlots w : workers.values()) {
        w.publishedReport = w.lastReport;
        views.add(new WorkerView(w.id, w.host, w.slots,
            w.running.stream().map(TaskAttemptId::toString).toList(), w.lastReport));
      }
      monitor.publishWorkers(views);
    }
  }
}
