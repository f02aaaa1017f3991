package dev.quern.master.engine;

import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.io.InputSplit;
import dev.quern.master.commit.CommitCoordinator;
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
import dev.quern.master.engine.Outcome.Applied;
import dev.quern.master.engine.Outcome.Rejected;
import dev.quern.worker.actor.OutputLayout;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's policy, without actors, clocks or I/O: it owns the {@link JobBook} (changed only
 * through {@link #apply}) and the soft state beside it (live workers and their free slots, attempt
 * progress, when each attempt was last heard from). Each input (a submission, a kill, a worker's
 * report, a lost worker, a finished job commit, a timeout tick) comes with the current time; the
 * scheduler applies the events it decides to the book, then schedules, and leaves what else it
 * decided as {@link Effect}s for the {@link EffectExecutor} ({@link #drainEffects}).
 *
 * <p>Scheduling: map tasks first, largest split first, each to the live worker with the most free
 * slots; reduce tasks once every map is done. A failed attempt is retried until the task has
 * failed {@code quern.task.max-attempts} times, then the job fails with the task's last error. A
 * reduce that finds a map output unusable re-runs that map task and is retried. A worker that
 * stops has its running attempts killed in the book, so their tasks are scheduled again.
 *
 * <p>Not thread-safe: the master actor owns it.
 */
public final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final JobBook book;
  private final Path workDir;
  private final JobJournal journal;
  private final Workers workers = new Workers();
  private final Map<TaskAttemptId, Float> progress = new HashMap<>();
  private final Map<TaskAttemptId, Long> lastHeard = new HashMap<>();
  /** The submitted split objects of each live job, handed to its map tasks as they are. */
  private final Map<String, List<InputSplit>> liveSplits = new HashMap<>();
  private final Set<String> speculated = new HashSet<>();
  private final Set<String> dirtyJobs = new LinkedHashSet<>();
  /** The live jobs, in the order accepted, with the tasks that may be ready. */
  private final Map<String, PendingTasks> pending = new LinkedHashMap<>();
  /** Whether the live jobs of a book given to the constructor are in {@link #pending}. */
  private boolean pendingLoaded;
  /** The state and time of each live job's last published view. */
  private final Map<String, Published> published = new HashMap<>();
  /** Tasks looked at by scheduling decisions so far: [0], an array to count in place. */
  private final long[] examined = new long[1];
  private long viewsBuilt;
  private final List<Effect> effects = new ArrayList<>();
  /** The time of the input being handled. */
  private long now;

  private record Published(JobState state, long time) {}

  /**
   * A running job's view is rebuilt (all its tasks) at most once per this many ms, plus 1 ms per
   * 5 tasks, so that building views costs a bounded share of the time however large the job;
   * a change of the job's state is published at once. The master's timeout tick publishes what
   * is left.
   */
  static final long VIEW_STEP_MS = 200;

  /**
   * A job of at most this many tasks has its view rebuilt on every change, so that watchers (the
   * UI's event stream) see each task and attempt state; a view costs a bounded time then too.
   */
  static final int EAGER_VIEW_TASKS = 256;

  /**
   * @param workDir the cluster's scratch root: map outputs live in {@code workDir/<job>/<attempt>}
   * @param journal receives every applied event, in order
   */
  public Scheduler(JobBook book, Path workDir, JobJournal journal) {
    this.book = book;
    this.workDir = workDir;
    this.journal = journal;
  }

  public JobBook book() {
    return book;
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /**
   * Accepts a checked job.
   *
   * @param splits the split objects, handed to this process's map tasks as they are
   * @param planned the same splits as the book records them
   * @param setupError why the output's {@code _temporary} could not be created, or null
   */
  public Outcome submit(JobSpec spec, List<InputSplit> splits, List<BookSplit> planned,
      String setupError, long time) {
    now = time;
    Outcome accepted = apply(new JobAccepted(spec, planned, now));
    if (!(accepted instanceof Applied a)) {
      return accepted;
    }
    String jobId = a.jobId();
    liveSplits.put(jobId, List.copyOf(splits));
    pending.put(jobId, new PendingTasks(book.job(jobId)));
    if (setupError != null) {
      apply(new JobFailed(jobId, "cannot create the output directory " + spec.outputPath()
          + ": " + setupError, now));
    }
    BookJob job = book.job(jobId);
    if (!job.state().isFinal() && job.allTasksDone()) {
      startCommit(job); // no input and no reduce tasks
    }
    schedule();
    return accepted;
  }

  /** Kills a job; false if it had already ended or is committing. */
  public boolean kill(String jobId, long time) {
    return kill(jobId, null, time);
  }

  /**
   * Kills a job; false if it had already ended or is committing. {@code reason} (who, and when)
   * becomes the job's failure text; null when not said.
   */
  public boolean kill(String jobId, String reason, long time) {
    now = time;
    BookJob job = book.job(jobId);
    if (job == null || job.state().isFinal() || job.state() == JobState.COMMITTING) {
      schedule();
      return false;
    }
    endJob(job, new JobKilled(job.id(), reason, now));
    schedule();
    return true;
  }

  /** A worker's report. */
  public void report(WorkerReport report, long time) {
    now = time;
    heardFrom(report);
    if (report instanceof Register r) {
      workers.register(r.workerId(), r.host(), r.slots(), now);
      log.info("worker {} registered with {} slot(s)", r.workerId(), r.slots());
    } else if (report instanceof AttemptRunning r) {
      BookAttempt a = attempt(r.attempt());
      if (a != null && a.isRunning()) {
        progress.putIfAbsent(r.attempt(), 0f);
        lastHeard.put(r.attempt(), now);
        // A new leader learns which of the book's attempts a worker still runs: they hold slots.
        Workers.Worker w = workers.get(r.workerId());
        if (w != null && r.workerId().equals(a.workerId()) && !w.running.contains(r.attempt())) {
          workers.started(w, r.attempt());
        }
      }
    } else if (report instanceof AttemptProgress r) {
      BookAttempt a = attempt(r.attempt());
      if (a != null && a.isRunning()) {
        progress.put(r.attempt(), r.fraction());
        lastHeard.put(r.attempt(), now);
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
        apply(new AttemptKilled(r.attempt(), r.reason(), now));
      } else {
        cleanUpIfEnded(r.attempt().jobId());
      }
    } else if (report instanceof CanCommit r) {
      onCanCommit(r);
    }
    schedule();
  }

  /** A worker stopped: its running attempts are killed in the book and run again elsewhere. */
  public void workerGone(String workerId, long time) {
    now = time;
    Workers.Worker w = workers.remove(workerId);
    if (w != null) {
      log.warn("worker {} is gone; re-queuing {} attempt(s)", workerId, w.running.size());
      for (TaskAttemptId id : w.running) {
        progress.remove(id);
        lastHeard.remove(id);
        if (isLive(id)) {
          apply(new AttemptKilled(id, "worker " + workerId + " was lost", now));
        }
      }
    }
    schedule();
  }

  /** The job commit ({@link Effect.CommitJob}) finished; {@code error} is null on success. */
  public void commitFinished(String jobId, long endTime, String error, long time) {
    now = time;
    BookJob job = book.job(jobId);
    if (job != null && job.state() == JobState.COMMITTING) {
      if (error == null) {
        apply(new JobSucceeded(job.id(), endTime));
        log.info("job {} succeeded", job.id());
      } else {
        endJob(job, new JobFailed(job.id(), error, endTime));
      }
    }
    schedule();
  }

  /**
   * This scheduler starts over a book another leader wrote: the attempts it records as running
   * get one full task timeout from {@code time} to be heard from (their workers report to the
   * new leader first), and a job the old leader was committing is committed again (the commit
   * is idempotent).
   */
  public void takeOver(long time) {
    now = time;
    for (BookJob job : book.jobs()) {
      for (BookAttempt a : job.runningAttempts()) {
        lastHeard.put(a.id(), now);
      }
      if (job.state() == JobState.COMMITTING) {
        effects.add(commitEffect(job));
      }
    }
    schedule();
  }

  /** Fails attempts that went silent for longer than their job's timeout. */
  public void checkTimeouts(long time) {
    now = time;
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
    schedule();
  }

  // ---- outputs ---------------------------------------------------------------------------------

  /** The effects decided since the last call, in order. */
  public List<Effect> drainEffects() {
    if (effects.isEmpty()) {
      return List.of();
    }
    List<Effect> out = List.copyOf(effects);
    effects.clear();
    return out;
  }

  /**
   * Views of the jobs changed since the last call: at once when a job's state changed or the job
   * has at most {@link #EAGER_VIEW_TASKS} tasks, else at most once per {@link #viewStep} (a job
   * whose view waits stays changed for the next call).
   */
  public List<JobView> drainJobViews() {
    if (dirtyJobs.isEmpty()) {
      return List.of();
    }
    List<JobView> views = new ArrayList<>();
    for (java.util.Iterator<String> it = dirtyJobs.iterator(); it.hasNext(); ) {
      String id = it.next();
      BookJob job = book.job(id);
      if (job == null) {
        it.remove();
        continue;
      }
      Published last = published.get(id);
      if (last != null && last.state() == job.state() && now - last.time() < viewStep(job)
          && job.maps().size() + job.reduces().size() > EAGER_VIEW_TASKS) {
        continue;
      }
      it.remove();
      views.add(JobViews.of(job, progress));
      viewsBuilt++;
      if (job.state().isFinal()) {
        published.remove(id);
      } else {
        published.put(id, new Published(job.state(), now));
      }
    }
    return views;
  }

  static long viewStep(BookJob job) {
    return VIEW_STEP_MS + (job.maps().size() + job.reduces().size()) / 5;
  }

  /** How many tasks scheduling decisions have looked at so far (a measure of their work). */
  public long examinedTasks() {
    return examined[0];
  }

  /** How many job views have been built so far. */
  public long viewsBuilt() {
    return viewsBuilt;
  }

  /** The live workers, if they changed since the last call. */
  public Optional<List<WorkerView>> drainWorkerViews() {
    return workers.drainViews();
  }

  // ---- the book --------------------------------------------------------------------------------

  /**
   * Applies an event this scheduler checked, so a rejection is a bug: it is logged, and the book
   * stays as it was.
   */
  private Outcome apply(JobEvent event) {
    Outcome outcome = book.apply(event);
    if (outcome instanceof Applied a) {
      journal.append(event);
      dirtyJobs.add(a.jobId());
      BookJob job = book.job(a.jobId());
      if (job.state().isFinal()) {
        liveSplits.remove(a.jobId());
        pending.remove(a.jobId());
      } else {
        offerAfter(job, event);
      }
      log.debug("applied {}", event);
    } else if (outcome instanceof Rejected r) {
      log.error("the job book rejected {}: {} (a scheduler bug)", event, r.reason());
    }
    return outcome;
  }

  // ---- attempts ending -------------------------------------------------------------------------

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
            : "map attempt reported no output", now));
        return;
      }
      apply(new MapDone(id, result.mapOutput(), result.counters(), now));
    } else {
      if (!id.equals(task.grantedAttempt())) {
        apply(new AttemptKilled(id, "finished without holding the commit grant", now));
        return;
      }
      apply(new TaskCommitted(id, result.counters(), now));
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
      apply(new MapOutputLost(id, lost.mapIndex(), lost.attempt(), r.message(), now));
      int bound = 2 * job.maxAttempts();
      if (task.inputLosses() > bound) {
        endJob(job, new JobFailed(job.id(), "task " + task.name() + " lost its input "
            + task.inputLosses() + " times; last: " + r.message(), now));
      }
      return;
    }
    fail(job, task, id, r.workerId(), r.message(), r.stackTrace());
  }

  /** Records a counted failure; fails the job when the task has no attempts left. */
  private void fail(BookJob job, BookTask task, TaskAttemptId id, String workerId,
      String message, String stackTrace) {
    apply(new AttemptFailed(id, message, stackTrace, now));
    if (task.failures() >= job.maxAttempts()) {
      String reason = "task " + task.name() + " failed " + task.failures() + " time(s); attempt "
          + id + " on " + workerId + ": " + message
          + (stackTrace == null ? "" : "\n" + stackTrace);
      endJob(job, new JobFailed(job.id(), reason, now));
    }
  }

  private void onCanCommit(CanCommit r) {
    CommitCoordinator.Decision d = CommitCoordinator.decide(book.job(r.attempt().jobId()),
        r.attempt());
    if (d.record()) {
      apply(new CommitGranted(r.attempt(), now));
    }
    effects.add(new Effect.AnswerCommit(r, new CommitAnswer(r.attempt(), d.grant(),
        d.reason())));
  }

  // ---- job commit and end ----------------------------------------------------------------------

  private void startCommit(BookJob job) {
    apply(new JobCommitting(job.id(), now));
    effects.add(commitEffect(job));
  }

  private Effect.CommitJob commitEffect(BookJob job) {
    return new Effect.CommitJob(job.id(), job.spec().outputPath(), new SuccessFile(job.id(),
        job.spec().name(), job.spec().user(), job.submitTime(), job.startTime(), -1,
        job.counters().asMap()), scratchDir(job.id()));
  }

  /** Ends a live job (failed or killed): kill its attempts, record the end, remove its files. */
  private void endJob(BookJob job, JobEvent end) {
    for (BookAttempt a : job.runningAttempts()) {
      sendKill(a, end instanceof JobKilled ? "job killed" : "job failed");
    }
    apply(end);
    log.info("job {} ended {}", job.id(), job.state());
    effects.add(new Effect.AbortJob(job.id(), job.spec().outputPath()));
    cleanUpIfEnded(job.id());
  }

  /** Removes what a straggler attempt of a failed or killed job may have left. */
  private void cleanUpIfEnded(String jobId) {
    BookJob job = book.job(jobId);
    if (job == null || !(job.state() == JobState.FAILED || job.state() == JobState.KILLED)) {
      return;
    }
    effects.add(new Effect.CleanUp(jobId, job.spec().outputPath(), scratchDir(jobId)));
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private void schedule() {
    loadPending();
    List<BookJob> drained = new ArrayList<>();
    for (PendingTasks p : pending.values()) {
      BookJob job = p.job();
      if (job.state() != JobState.ACCEPTED && job.state() != JobState.RUNNING) {
        continue;
      }
      BookTask task;
      do {
        Workers.Worker w = workers.freest(null);
        if (w == null) {
          return;
        }
        task = p.next(examined);
        if (task != null) {
          launch(job, task, w);
        }
      } while (task != null);
      drained.add(job);
    }
    for (BookJob job : drained) {
      // A job still ACCEPTED launched nothing, so it has nothing to speculate on.
      if (job.state() == JobState.RUNNING && job.speculative()) {
        speculate(job);
      }
    }
  }

  /**
   * Reads the live jobs of a book this scheduler did not fill itself (one restored from a
   * snapshot or a log) once, on the first decision.
   */
  private void loadPending() {
    if (pendingLoaded) {
      return;
    }
    pendingLoaded = true;
    Map<String, PendingTasks> mine = new LinkedHashMap<>(pending);
    pending.clear();
    for (BookJob job : book.jobs()) {
      if (!job.state().isFinal()) {
        pending.put(job.id(), mine.containsKey(job.id()) ? mine.get(job.id())
            : new PendingTasks(job));
      }
    }
  }

  /** Offers the tasks an applied event may have made ready to run again. */
  private void offerAfter(BookJob job, JobEvent event) {
    PendingTasks p = pending.get(job.id());
    if (p == null) {
      return;
    }
    if (event instanceof AttemptFailed e) {
      p.offer(job.task(e.attempt()));
    } else if (event instanceof AttemptKilled e) {
      p.offer(job.task(e.attempt()));
    } else if (event instanceof MapOutputLost e) {
      p.offer(job.task(e.reduceAttempt()));
      p.offer(job.task(TaskKind.MAP, e.mapIndex()));
      p.mapOutputs = null;
    } else if (event instanceof MapDone) {
      p.mapOutputs = null;
    }
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
      Workers.Worker w = workers.freest(running.get(0).workerId());
      if (w == null) {
        return;
      }
      speculated.add(key);
      log.info("speculating {} on {}", t.name(), w.id);
      launch(job, t, w);
    }
  }

  private void launch(BookJob job, BookTask task, Workers.Worker w) {
    TaskAttemptId id =
        new TaskAttemptId(job.id(), task.kind(), task.index(), task.nextAttemptNumber());
    apply(new AttemptStarted(id, w.id, now));
    String out = job.spec().outputPath();
    String work = OutputLayout.attemptDir(out, id).toString();
    String scratch = scratchDir(job.id()).resolve(id.dirName()).toString();
    TaskSpec spec;
    if (task.kind() == TaskKind.MAP) {
      List<InputSplit> live = liveSplits.get(job.id());
      // A leader that took over from another has no split objects: the book's are the same.
      InputSplit split = live != null ? live.get(task.index())
          : job.splits().get(task.index()).toSplit(Thread.currentThread().getContextClassLoader());
      spec = new MapTaskSpec(id, job.spec(), split, scratch, work);
    } else {
      // Built once per reduce phase, not once per reduce: a job's reduces share it.
      PendingTasks p = pending.get(job.id());
      List<MapOutputRef> inputs = p == null ? null : p.mapOutputs;
      if (inputs == null) {
        inputs = job.maps().stream().map(BookTask::mapOutput).toList();
        if (p != null) {
          p.mapOutputs = inputs;
        }
      }
      spec = new ReduceTaskSpec(id, job.spec(), task.index(), inputs, scratch, work);
    }
    workers.started(w, id);
    progress.put(id, 0f);
    lastHeard.put(id, now);
    effects.add(new Effect.RunTask(w.id, spec));
  }

  private void killOtherAttempts(BookTask task, String reason) {
    for (BookAttempt a : task.runningAttempts()) {
      sendKill(a, reason);
      apply(new AttemptKilled(a.id(), reason, now));
    }
  }

  private void sendKill(BookAttempt a, String reason) {
    progress.remove(a.id());
    lastHeard.remove(a.id());
    if (workers.release(a.workerId(), a.id())) {
      effects.add(new Effect.KillTask(a.workerId(), a.id(), reason));
    }
  }

  private void freeSlot(String workerId, TaskAttemptId id) {
    progress.remove(id);
    lastHeard.remove(id);
    workers.release(workerId, id);
  }

  // ---- helpers ---------------------------------------------------------------------------------

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
    workers.heardFrom(workerId, now);
  }

  private String workerOf(TaskAttemptId id) {
    BookAttempt a = attempt(id);
    return a == null ? null : a.workerId();
  }

  private Path scratchDir(String jobId) {
    return workDir.resolve(jobId);
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
}
