package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
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
 * <p>Scheduling: jobs in the order accepted; in a job, map tasks first, largest split first,
 * each to the live worker with the most free slots; reduce tasks once every map is done (or once
 * {@link EngineKeys#REDUCE_SLOWSTART} of the maps are; running reduces then hear of each map
 * output that appears or is withdrawn, {@link Effect.MapOutputsChanged}). A
 * map whose split names hosts goes to a free worker on one of them (node-local); while it could
 * and none is free it waits up to {@link EngineKeys#LOCALITY_WAIT} since the job's last local
 * launch, then takes any (delay scheduling), and the job's {@link #DATA_LOCAL_MAPS} and {@link
 * #OTHER_LOCAL_MAPS} count where maps ran. A failed attempt is retried until the task has failed
 * {@code quern.task.max-attempts} times, then the job fails with the task's last error; a
 * worker on which a job's attempts failed {@link EngineKeys#EXCLUDE_AFTER_FAILURES} times gets no
 * more of that job's attempts, and one excluded so by several jobs none at all for a while
 * ({@link SchedulerSettings}), unless every live worker is excluded. A reduce that finds a map
 * output unusable re-runs that map task and is retried. A worker that stops has its running
 * attempts killed in the book, so their tasks are scheduled again. With {@link
 * EngineKeys#SPECULATION}, once a job has nothing else ready, an attempt that has run longer than
 * its stage's median finished run time times a multiplier gets one more attempt elsewhere.
 *
 * <p>Cost: every decision works on the tasks and workers it launches, plus stale entries that
 * earlier events left; timeouts look at the attempts heard from longest ago, speculation at the
 * oldest running attempts of each stage; nothing per input looks at every task of a job.
 *
 * <p>Not thread-safe: the master actor owns it.
 */
public final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final JobBook book;
  private final Path workDir;
  private final JobJournal journal;
  private final SchedulerSettings settings;
  private final Workers workers = new Workers();
  /** The strays each worker's heartbeats listed and was told to stop ({@link #heartbeat}). */
  private final StrayKills strayKills = new StrayKills();
  private final Map<TaskAttemptId, Float> progress = new HashMap<>();
  /** The submitted split objects of each live job, handed to its map tasks as they are. */
  private final Map<String, List<InputSplit>> liveSplits = new HashMap<>();
  /**
   * The split lists of live jobs whose book entry names a stored list ({@link StoredSplits}):
   * soft state, given with the submission or loaded by the leader ({@link #splitsArrived}).
   */
  private final Map<String, List<BookSplit>> storedSplits = new HashMap<>();
  private final Set<String> dirtyJobs = new LinkedHashSet<>();
  /** The live jobs, in the order accepted, with their soft state. */
  private final Map<String, LiveJob> live = new LinkedHashMap<>();
  /** Whether the live jobs of a book given to the constructor are in {@link #live}. */
  private boolean liveLoaded;
  /** Per job: maps launched on a host of their split, and elsewhere (until its last view). */
  private final Map<String, long[]> locality = new HashMap<>();
  private final Exclusions exclusions;
  /** The state and time of each live job's last published view. */
  private final Map<String, Published> published = new HashMap<>();
  /** The views of each unfinished job's finished tasks, kept between its views. */
  private final Map<String, JobViews.Cache> viewCaches = new HashMap<>();
  /** Tasks looked at by scheduling decisions so far: [0], an array to count in place. */
  private final long[] examined = new long[1];
  private long viewsBuilt;
  private final List<Effect> effects = new ArrayList<>();
  /**
   * After a takeover: running reduce attempts owed the job's map outputs again, by the worker
   * the book says runs them, told once that worker is registered ({@link #tellOwedOutputs}).
   */
  private final Map<String, List<TaskAttemptId>> owedOutputs = new HashMap<>();
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

  /** How the book's failure of a job whose output setup failed begins (then the path, why). */
  static final String SETUP_FAILED = "cannot create the output directory ";

  /** Counter (group {@code quern}): map attempts started on a host of their split, as Hadoop's. */
  public static final String DATA_LOCAL_MAPS = "DATA_LOCAL_MAPS";

  /** Counter: map attempts of splits with hosts started on another host, as Hadoop's. */
  public static final String OTHER_LOCAL_MAPS = "OTHER_LOCAL_MAPS";

  /**
   * @param workDir the cluster's scratch root: map outputs live in {@code workDir/<job>}, named
   *     for their attempt ({@code m-00002_1.out}, {@code .index})
   * @param journal receives every applied event, in order
   */
  public Scheduler(JobBook book, Path workDir, JobJournal journal) {
    this(book, workDir, journal, SchedulerSettings.DEFAULTS);
  }

  /** As {@link #Scheduler(JobBook, Path, JobJournal)}, with settings other than the defaults. */
  public Scheduler(JobBook book, Path workDir, JobJournal journal, SchedulerSettings settings) {
    this.book = book;
    this.workDir = workDir;
    this.journal = journal;
    this.settings = settings;
    this.exclusions = new Exclusions(settings);
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
    return submit(spec, splits, planned, null, setupError, time);
  }

  /**
   * As {@link #submit(JobSpec, List, List, String, long)}; with {@code stored} not null the book
   * records only that reference to the split list ({@code planned}), which this scheduler keeps
   * beside the book.
   */
  public Outcome submit(JobSpec spec, List<InputSplit> splits, List<BookSplit> planned,
      StoredSplits stored, String setupError, long time) {
    now = time;
    if (stored != null && stored.count() != planned.size()) {
      return new Rejected("split list " + stored.shortHash() + " holds " + planned.size()
          + " splits, not " + stored.count());
    }
    Outcome accepted = apply(stored == null ? new JobAccepted(spec, planned, now)
        : new JobAccepted(spec, stored, now));
    if (!(accepted instanceof Applied a)) {
      return accepted;
    }
    String jobId = a.jobId();
    liveSplits.put(jobId, List.copyOf(splits));
    if (stored != null) {
      storedSplits.put(jobId, List.copyOf(planned));
    }
    live.put(jobId, new LiveJob(book.job(jobId), now, splitsOf(book.job(jobId))));
    if (setupError != null) {
      apply(new JobFailed(jobId, SETUP_FAILED + spec.outputPath() + ": " + setupError, now));
    }
    BookJob job = book.job(jobId);
    if (!job.state().isFinal() && job.allTasksDone()) {
      startCommit(job); // no input and no reduce tasks
    }
    schedule();
    return accepted;
  }

  /**
   * The split list of a job whose book entry names a stored one came (a leader that took over
   * loaded it): its maps may now be scheduled. False, and nothing changes, if the job is not
   * live, already has its splits, or {@code splits} is not the list the book names (count).
   */
  public boolean splitsArrived(String jobId, List<BookSplit> splits, long time) {
    now = time;
    BookJob job = book.job(jobId);
    if (job == null || job.state().isFinal() || job.stored() == null
        || storedSplits.containsKey(jobId) || splits.size() != job.maps().size()) {
      return false;
    }
    storedSplits.put(jobId, List.copyOf(splits));
    loadLive();
    LiveJob lj = live.get(jobId);
    if (lj != null) {
      lj.pending.splitsArrived(storedSplits.get(jobId));
    }
    log.info("job {}: split list {} of {} splits loaded; its maps may run", jobId,
        job.stored().shortHash(), splits.size());
    schedule();
    return true;
  }

  /**
   * The live jobs whose split lists are stored and not here yet (a leader loads them; their maps
   * wait until then), by job id in the order accepted.
   */
  public Map<String, StoredSplits> missingSplits() {
    Map<String, StoredSplits> out = new LinkedHashMap<>();
    for (BookJob job : book.jobs()) {
      if (!job.state().isFinal() && job.stored() != null && !storedSplits.containsKey(job.id())) {
        out.put(job.id(), job.stored());
      }
    }
    return out;
  }

  /** The job's splits: the book's, or the stored list's soft copy (null while not loaded). */
  private List<BookSplit> splitsOf(BookJob job) {
    return job.stored() == null ? job.splits() : storedSplits.get(job.id());
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

  /**
   * Retention: the ended job leaves the book ({@link JobEvent.JobRetired}); false if it is not
   * in the book or has not ended.
   */
  public boolean retire(String jobId, long time) {
    now = time;
    BookJob job = book.job(jobId);
    return job != null && job.state().isFinal()
        && apply(new JobEvent.JobRetired(jobId, time)) instanceof Applied;
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
        heard(r.attempt());
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
        heard(r.attempt());
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

  /**
   * A worker that registers says it runs {@code claimed}; call this before its {@code
   * Register}. A claimed attempt that the book does not record as running on it is a stray: the
   * book ended it while no leader told the worker (the worker was counted lost while it was only
   * slow, or a leader died before its kill went out). A stray map or a reduce with every map
   * output would end by itself, but a reduce started early (slow start) waits for map outputs
   * that no one tells it of any more, holding its slot for good: every attempt then sent to
   * that slot is refused ("no free slot") and launched there again, without end. So each stray
   * is told to stop, and the kill goes out before anything this registration schedules there.
   */
  public void strays(String workerId, List<TaskAttemptId> claimed, long time) {
    now = time;
    strayKills.forget(workerId);
    List<TaskAttemptId> strays = new ArrayList<>();
    for (TaskAttemptId id : claimed) {
      if (isStray(workerId, id)) {
        strays.add(id);
        stopStray(workerId, id);
      }
    }
    strayKills.toTell(workerId, strays, now); // its next heartbeats do not repeat these at once
  }

  /**
   * A heartbeat of a registered worker, which says it runs {@code running}: every heartbeat
   * counts as hearing from the worker (soft state, never in the log), and what it runs that the
   * book ended is told to stop, as at registration ({@link #strays}): the book may end an
   * attempt after the worker registered without the worker hearing (it was counted lost while
   * only slow, and came back before its agent noticed). A stray still listed is told again only
   * after {@link StrayKills#RETELL_MS} (it may take the executor's kill grace to stop).
   */
  public void heartbeat(String workerId, List<TaskAttemptId> running, long time) {
    now = time;
    if (workers.get(workerId) == null) {
      return; // not registered here: its registration compares what it runs with the book
    }
    workers.heardFrom(workerId, now);
    List<TaskAttemptId> strays = new ArrayList<>();
    for (TaskAttemptId id : running) {
      if (isStray(workerId, id)) {
        strays.add(id);
      }
    }
    for (TaskAttemptId id : strayKills.toTell(workerId, strays, now)) {
      stopStray(workerId, id);
    }
  }

  /** Whether the book does not record {@code id} as running on {@code workerId}. */
  private boolean isStray(String workerId, TaskAttemptId id) {
    BookAttempt a = attempt(id);
    return a == null || !a.isRunning() || !workerId.equals(a.workerId());
  }

  private void stopStray(String workerId, TaskAttemptId id) {
    BookAttempt a = attempt(id);
    log.warn("worker {} runs {}, which the book ended ({}): stopping it", workerId, id,
        a == null ? "unknown" : a.state());
    effects.add(new Effect.KillTask(workerId, id, "the master's book ended it ("
        + (a == null ? "unknown attempt" : a.state()) + ")"));
  }

  /**
   * A worker registers with a leader that took over, still running {@code adopted} (attempts the
   * book records as running on it): they hold its slots before anything is scheduled there.
   * Registering first and hearing of them after, as {@link #report} would, lets the
   * registration fill those slots with new attempts, which the full worker refuses ("no free
   * slot") and which then run again: the takeover's extra attempts.
   */
  public void adopt(Register r, List<TaskAttemptId> adopted, long time) {
    now = time;
    workers.register(r.workerId(), r.host(), r.slots(), now);
    log.info("worker {} registered with {} slot(s), running {} attempt(s) of the book",
        r.workerId(), r.slots(), adopted.size());
    Workers.Worker w = workers.get(r.workerId());
    for (TaskAttemptId id : adopted) {
      BookAttempt a = attempt(id);
      if (a != null && a.isRunning() && r.workerId().equals(a.workerId())) {
        progress.putIfAbsent(id, 0f);
        heard(id);
        workers.started(w, id);
      }
    }
    schedule();
  }

  /** A worker stopped: its running attempts are killed in the book and run again elsewhere. */
  public void workerGone(String workerId, long time) {
    now = time;
    Workers.Worker w = workers.remove(workerId);
    strayKills.forget(workerId);
    if (w != null) {
      log.warn("worker {} is gone; re-queuing {} attempt(s)", workerId, w.running.size());
      for (TaskAttemptId id : w.running) {
        progress.remove(id);
        if (isLive(id)) {
          apply(new AttemptKilled(id, "worker " + workerId + " was lost", now));
        }
      }
    }
    if (settings.outputsDieWithWorkers()) {
      loseOutputsOf(workerId);
    }
    schedule();
  }

  /**
   * The maps whose output only the dead worker held run again now, for every job whose reduces
   * still need them, rather than each being found lost by a reduce's failed fetch (each of which
   * would count against that reduce).
   */
  private void loseOutputsOf(String workerId) {
    for (BookJob job : List.copyOf(book.jobs())) {
      if (job.state().isFinal() || job.state() == JobState.COMMITTING
          || job.reduces().isEmpty() || job.reduces().stream().allMatch(BookTask::isDone)) {
        continue;
      }
      boolean held = false;
      for (BookTask map : job.maps()) {
        TaskAttemptId c = map.committedAttempt();
        if (map.isDone() && c != null
            && workerId.equals(map.attempt(c.attempt()).workerId())) {
          held = true;
          break;
        }
      }
      if (held) {
        log.warn("job {}: map outputs on lost worker {} run again", job.id(), workerId);
        apply(new JobEvent.WorkerOutputsLost(job.id(), workerId, "worker " + workerId
            + " was lost with the output", now));
      }
    }
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
    loadLive();
    Map<String, String> lastClaims = lastClaims();
    for (BookJob job : book.jobs()) {
      if ((job.state() == JobState.FAILED || job.state() == JobState.KILLED)
          && job.id().equals(lastClaims.get(JobBook.outputKey(job.spec().outputPath())))
          && !failedAtSetup(job)) {
        // The last leader may have died during this job's abort: the book says no newer job
        // claimed its output directory, so finishing the abort touches no one else's files
        // (it is idempotent: OUT/_temporary, and OUT only by the mark this job left there).
        effects.add(new Effect.AbortJob(job.id(), job.spec().outputPath()));
      }
      LiveJob lj = live.get(job.id());
      if (lj != null) {
        for (BookAttempt a : job.runningAttempts()) {
          lj.silent.heard(a.id(), now);
        }
        lj.lastLocalLaunch = now;
        oweRunningReduces(lj);
      }
      if (job.state() == JobState.COMMITTING) {
        effects.add(commitEffect(job));
      }
    }
    schedule();
  }

  /**
   * Fails attempts that went silent for longer than their job's timeout; looks, per job, at the
   * attempts heard from longest ago only. Also the tick on which waits end (locality, exclusions,
   * speculation), since it schedules.
   */
  public void checkTimeouts(long time) {
    now = time;
    loadLive();
    for (LiveJob lj : List.copyOf(live.values())) {
      BookJob job = lj.job;
      if (job.state().isFinal() || job.taskTimeout() <= 0) {
        continue;
      }
      Map.Entry<TaskAttemptId, Long> oldest;
      while ((oldest = lj.silent.oldest()) != null && now - oldest.getValue() > job.taskTimeout()
          && !job.state().isFinal()) {
        long heard = oldest.getValue();
        lj.silent.remove(oldest.getKey());
        BookAttempt a = job.attempt(oldest.getKey());
        examined[0]++;
        if (a == null || !a.isRunning()) {
          continue;
        }
        log.warn("{} on {} made no progress for {} ms; killing it", a.id(), a.workerId(),
            now - heard);
        sendKill(a, "no progress");
        fail(job, job.task(a.id()), a.id(), a.workerId(), "attempt made no progress for "
            + (now - heard) + " ms (" + EngineKeys.TASK_TIMEOUT + " = " + job.taskTimeout()
            + ")", null);
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
        viewCaches.remove(id);
        continue;
      }
      Published last = published.get(id);
      if (last != null && last.state() == job.state() && now - last.time() < viewStep(job)
          && job.maps().size() + job.reduces().size() > EAGER_VIEW_TASKS) {
        continue;
      }
      it.remove();
      views.add(JobViews.of(job, progress, engineCounters(id),
          viewCaches.computeIfAbsent(id, k -> new JobViews.Cache())));
      viewsBuilt++;
      if (job.state().isFinal()) {
        viewCaches.remove(id);
        published.remove(id);
        locality.remove(id);
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
    return workers.drainViews(now);
  }

  /** The workers excluded for every job at the time of the last input, in no order. */
  public Set<String> excludedWorkers() {
    return exclusions.everywhere(now);
  }

  /** The workers the live job {@code jobId} excludes after failures; empty when none or ended. */
  public Set<String> excludedWorkers(String jobId) {
    LiveJob lj = live.get(jobId);
    return lj == null ? Set.of() : Set.copyOf(lj.excluded);
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
      if (job == null || job.state().isFinal()) { // null: retired (JobRetired)
        liveSplits.remove(a.jobId());
        storedSplits.remove(a.jobId());
        live.remove(a.jobId());
      } else {
        LiveJob lj = live.get(job.id());
        if (lj != null) {
          afterEvent(lj, event);
        }
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
    Counters counters = job.counters().add(engineCounters(job.id()));
    return new Effect.CommitJob(job.id(), job.spec().outputPath(), new SuccessFile(job.id(),
        job.spec().name(), job.spec().user(), job.submitTime(), job.startTime(), -1,
        counters.asMap()), scratchDir(job.id()), committedAttempts(job));
  }

  /**
   * The attempt of record (TaskCommitted) of each task whose files are the job's output: every
   * reduce, or every map of a map-only job. The job commit promotes these and nothing else, so a
   * lost attempt that still committed (a zombie) never reaches OUT.
   */
  static Map<String, String> committedAttempts(BookJob job) {
    List<BookTask> writers = job.spec().reduceTasks() > 0 ? job.reduces() : job.maps();
    Map<String, String> attempts = new HashMap<>(writers.size() * 2);
    for (BookTask t : writers) {
      attempts.put(t.name(), t.committedAttempt().dirName());
    }
    return attempts;
  }

  /** The counters this scheduler keeps beside the book's: where maps ran. */
  private Counters engineCounters(String jobId) {
    Counters c = new Counters();
    long[] l = locality.get(jobId);
    if (l != null) {
      // Only jobs with hosts on their splits have them, so local mode's counters stay as they were.
      c.increment(TaskCounter.GROUP, DATA_LOCAL_MAPS, l[0]);
      c.increment(TaskCounter.GROUP, OTHER_LOCAL_MAPS, l[1]);
    }
    return c;
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

  /**
   * Removes what a straggler attempt of a failed or killed job may have left, unless a newer job
   * of the book claimed the same output directory meanwhile (its {@code _temporary} is that job's).
   */
  private void cleanUpIfEnded(String jobId) {
    BookJob job = book.job(jobId);
    if (job == null || !(job.state() == JobState.FAILED || job.state() == JobState.KILLED)
        || claimedByNewer(job)) {
      return;
    }
    effects.add(new Effect.CleanUp(jobId, job.spec().outputPath(), scratchDir(jobId)));
  }

  /**
   * A job whose output setup failed never made {@code OUT/_temporary} (what is there, if
   * anything, is not its own), and was never aborted: a takeover leaves it alone too.
   */
  private static boolean failedAtSetup(BookJob job) {
    return job.state() == JobState.FAILED && job.failure() != null
        && job.failure().startsWith(SETUP_FAILED);
  }

  /** The job of the book that claimed each output directory last, by its key. */
  private Map<String, String> lastClaims() {
    Map<String, String> last = new HashMap<>();
    for (BookJob job : book.jobs()) { // in the order accepted
      last.put(JobBook.outputKey(job.spec().outputPath()), job.id());
    }
    return last;
  }

  /** Whether a job accepted after {@code job} names the same output directory. */
  private boolean claimedByNewer(BookJob job) {
    String key = JobBook.outputKey(job.spec().outputPath());
    boolean after = false;
    for (BookJob other : book.jobs()) {
      if (after && key.equals(JobBook.outputKey(other.spec().outputPath()))) {
        return true;
      }
      after |= other == job;
    }
    return false;
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private void schedule() {
    loadLive();
    if (!owedOutputs.isEmpty()) {
      tellOwedOutputs();
    }
    List<LiveJob> drained = new ArrayList<>();
    for (LiveJob lj : live.values()) {
      BookJob job = lj.job;
      if (job.state() != JobState.ACCEPTED && job.state() != JobState.RUNNING) {
        continue;
      }
      if (!workers.anyFree()) {
        return;
      }
      if (launchReady(lj)) {
        drained.add(lj);
      }
    }
    for (LiveJob lj : drained) {
      // A job still ACCEPTED launched nothing, so it has nothing to speculate on.
      if (lj.job.state() == JobState.RUNNING && lj.policy.speculation()) {
        speculate(lj);
      }
    }
  }

  /**
   * Launches the job's ready tasks on free slots: first maps on free workers of their split's
   * hosts, then in order. Returns whether the job has nothing ready left (false when it stopped
   * for want of a slot, or because its next map waits for a slot on its hosts).
   */
  private boolean launchReady(LiveJob lj) {
    PendingTasks p = lj.pending;
    Predicate<Workers.Worker> ok = allowedFor(lj, null);
    if (!p.hostsWithMaps().isEmpty() && workers.anyFree()) {
      launchLocal(lj, ok);
    }
    while (true) {
      BookTask t = p.peekMap(examined);
      if (t == null && reducesMayStart(lj)) {
        t = p.peekReduce(examined);
      }
      if (t == null) {
        return true;
      }
      List<String> hosts = p.hosts(t);
      Workers.Worker w = pickOn(hosts, ok);
      if (w == null && waitsForLocality(lj, hosts)) {
        return false;
      }
      if (w == null) {
        w = workers.pick(ok);
      }
      if (w == null) {
        return false;
      }
      p.take(t);
      launch(lj, t, w);
    }
  }

  /** Maps with their input on a host that has a free worker go there. */
  private void launchLocal(LiveJob lj, Predicate<Workers.Worker> ok) {
    PendingTasks p = lj.pending;
    Set<String> taskHosts = p.hostsWithMaps();
    Set<String> freeHosts = workers.freeHosts();
    // Both sets change as tasks launch: walk a copy of the smaller one.
    List<String> both = new ArrayList<>();
    if (taskHosts.size() <= freeHosts.size()) {
      taskHosts.stream().filter(freeHosts::contains).forEach(both::add);
    } else {
      freeHosts.stream().filter(taskHosts::contains).forEach(both::add);
    }
    for (String host : both) {
      Workers.Worker w;
      BookTask t;
      while ((w = workers.pickOn(host, ok)) != null && (t = p.peekMapOn(host, examined)) != null) {
        p.take(t);
        launch(lj, t, w);
      }
    }
  }

  /** A free worker on one of {@code hosts} that {@code ok} accepts, or null. */
  private Workers.Worker pickOn(List<String> hosts, Predicate<Workers.Worker> ok) {
    for (String h : hosts) {
      Workers.Worker w = workers.pickOn(h, ok);
      if (w != null) {
        return w;
      }
    }
    return null;
  }

  /**
   * Whether a map whose split is on {@code hosts} should wait for a slot there: the job launched
   * a local map less than the locality wait ago (or was accepted then), and some live worker is
   * on one of the hosts (else waiting gains nothing).
   */
  private boolean waitsForLocality(LiveJob lj, List<String> hosts) {
    if (hosts.isEmpty() || now - lj.lastLocalLaunch >= lj.policy.localityWaitMs()) {
      return false;
    }
    for (String h : hosts) {
      if (workers.hasHost(h)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the job's reduces may start: once every map is done; or, with slow start and workers
   * that can take a reduce before its map outputs exist, once the configured fraction of maps is
   * done, with reduces on at most half the slots while maps remain (as Hadoop's default ramp-up
   * limit), so that maps are never starved of slots.
   */
  private boolean reducesMayStart(LiveJob lj) {
    BookJob job = lj.job;
    if (job.allMapsDone()) {
      return true;
    }
    if (!settings.reducesBeforeMapOutputs() || lj.policy.slowStart() >= 1
        || job.reduces().isEmpty()) {
      return false;
    }
    int needed = (int) Math.ceil(lj.policy.slowStart() * job.maps().size());
    return job.doneCount(TaskKind.MAP) >= needed
        && lj.stage(TaskKind.REDUCE).running() < Math.max(1, workers.totalSlots() / 2);
  }

  /** Which free workers may take the job's attempts ({@link Exclusions#allowed}). */
  private Predicate<Workers.Worker> allowedFor(LiveJob lj, String avoid) {
    return exclusions.allowed(lj, avoid, workers, now);
  }

  /**
   * Reads the live jobs of a book this scheduler did not fill itself (one restored from a
   * snapshot or a log) once, on the first decision.
   */
  private void loadLive() {
    if (liveLoaded) {
      return;
    }
    liveLoaded = true;
    Map<String, LiveJob> mine = new LinkedHashMap<>(live);
    live.clear();
    for (BookJob job : book.jobs()) {
      if (!job.state().isFinal()) {
        live.put(job.id(), mine.containsKey(job.id()) ? mine.get(job.id())
            : new LiveJob(job, now, splitsOf(job)));
      }
    }
  }

  /** Keeps the job's soft state in step with an applied event. */
  private void afterEvent(LiveJob lj, JobEvent event) {
    BookJob job = lj.job;
    PendingTasks p = lj.pending;
    if (event instanceof AttemptStarted e) {
      BookAttempt a = job.attempt(e.attempt());
      lj.stage(e.attempt().kind()).started(a);
      lj.silent.heard(e.attempt(), e.time());
    } else if (event instanceof MapDone e) {
      ended(lj, e.attempt(), true);
      p.mapOutputs = null;
      tellRunningReduces(lj, List.of(e.output()), List.of());
    } else if (event instanceof TaskCommitted e) {
      ended(lj, e.attempt(), true);
    } else if (event instanceof AttemptFailed e) {
      ended(lj, e.attempt(), false);
      p.offer(job.task(e.attempt()));
      exclusions.failed(lj, job.attempt(e.attempt()).workerId(), now);
    } else if (event instanceof AttemptKilled e) {
      ended(lj, e.attempt(), false);
      p.offer(job.task(e.attempt()));
    } else if (event instanceof MapOutputLost e) {
      ended(lj, e.reduceAttempt(), false);
      p.offer(job.task(e.reduceAttempt()));
      p.offer(job.task(TaskKind.MAP, e.mapIndex()));
      p.mapOutputs = null;
      if (!job.task(TaskKind.MAP, e.mapIndex()).isDone()) {
        tellRunningReduces(lj, List.of(), List.of(e.lostAttempt()));
      }
    } else if (event instanceof JobEvent.WorkerOutputsLost e) {
      job.maps().forEach(p::offer); // offer skips the maps still done
      p.mapOutputs = null;
      if (lj.stage(TaskKind.REDUCE).running() > 0) {
        List<TaskAttemptId> lost = new ArrayList<>();
        for (BookTask map : job.maps()) {
          if (!map.isDone()) {
            for (BookAttempt a : map.attempts()) {
              if (a.state() == AttemptState.OUTPUT_LOST && e.workerId().equals(a.workerId())) {
                lost.add(a.id());
              }
            }
          }
        }
        tellRunningReduces(lj, List.of(), lost);
      }
    }
  }

  /**
   * After a takeover: the old leader may have applied a map's end (or loss) and died before it
   * told the running reduces, which would wait for it forever. Each is owed the job's map
   * outputs and withdrawals again (the worker takes a repeat as a no-op), told once its worker
   * has registered with this scheduler: a new leader's scheduler starts with no worker, and a
   * message to a worker it does not know yet would be lost ({@link #tellOwedOutputs}). Only for
   * jobs whose reduces may have started early or whose map outputs were lost: a reduce of any
   * other job started with every map's output.
   */
  private void oweRunningReduces(LiveJob lj) {
    if (lj.stage(TaskKind.REDUCE).running() == 0) {
      return;
    }
    if (lj.policy.slowStart() >= 1 && lostOutputs(lj.job).isEmpty()) {
      return;
    }
    for (BookTask r : lj.job.reduces()) {
      for (BookAttempt a : r.runningAttempts()) {
        owedOutputs.computeIfAbsent(a.workerId(), k -> new ArrayList<>()).add(a.id());
      }
    }
  }

  /**
   * Tells each owed reduce attempt whose worker is registered now the job's map outputs and
   * withdrawals (as its worker registered in this input, or earlier); forgets the attempts that
   * no longer run. Looks only at the owed attempts, and only while some are owed.
   */
  private void tellOwedOutputs() {
    // One list of each job's outputs (and of its lost ones) for all its attempts told now.
    Map<String, JobOutputs> told = new HashMap<>();
    for (var it = owedOutputs.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, List<TaskAttemptId>> e = it.next();
      boolean registered = workers.get(e.getKey()) != null;
      for (var owed = e.getValue().iterator(); owed.hasNext(); ) {
        TaskAttemptId id = owed.next();
        BookAttempt a = attempt(id);
        if (a == null || !isLive(id)) {
          owed.remove();
        } else if (registered) {
          owed.remove();
          JobOutputs all = told.computeIfAbsent(id.jobId(), j -> {
            BookJob job = book.job(j);
            List<MapOutputRef> outputs = new ArrayList<>();
            for (BookTask map : job.maps()) {
              if (map.mapOutput() != null) {
                outputs.add(map.mapOutput());
              }
            }
            return new JobOutputs(List.copyOf(outputs), lostOutputs(job));
          });
          effects.add(new Effect.MapOutputsChanged(a.workerId(), id, all.added(),
              all.withdrawn()));
        }
      }
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
  }

  /** A job's map outputs, and its map attempts whose outputs were lost. */
  private record JobOutputs(List<MapOutputRef> added, List<TaskAttemptId> withdrawn) {}

  /** The map attempts of the job whose outputs were lost. */
  private static List<TaskAttemptId> lostOutputs(BookJob job) {
    List<TaskAttemptId> lost = new ArrayList<>();
    for (BookTask map : job.maps()) {
      for (BookAttempt a : map.attempts()) {
        if (a.state() == AttemptState.OUTPUT_LOST) {
          lost.add(a.id());
        }
      }
    }
    return List.copyOf(lost);
  }

  /**
   * Tells each running reduce attempt of the job that map outputs appeared or were withdrawn:
   * a reduce started before every map finished (slow start) fetches them as they come, and one
   * that holds a withdrawn output waits for its map's next one rather than failing on it.
   */
  private void tellRunningReduces(LiveJob lj, List<MapOutputRef> added,
      List<TaskAttemptId> withdrawn) {
    if (lj.stage(TaskKind.REDUCE).running() == 0) {
      return;
    }
    for (BookTask r : lj.job.reduces()) {
      for (BookAttempt a : r.runningAttempts()) {
        effects.add(new Effect.MapOutputsChanged(a.workerId(), a.id(), added, withdrawn));
      }
    }
  }

  private static void ended(LiveJob lj, TaskAttemptId id, boolean succeeded) {
    lj.stage(id.kind()).ended(lj.job.attempt(id), succeeded);
    lj.silent.remove(id);
  }

  /**
   * One extra attempt, on another worker's free slot, for each running attempt that is slow for
   * its stage ({@link Stage#slowAfter}), at most once per task, as Spark speculates: looks at the
   * stage's oldest running attempts only, and drops those it has dealt with.
   */
  private void speculate(LiveJob lj) {
    BookJob job = lj.job;
    for (TaskKind kind : new TaskKind[] {TaskKind.MAP, TaskKind.REDUCE}) {
      Stage stage = lj.stage(kind);
      int total = kind == TaskKind.MAP ? job.maps().size() : job.reduces().size();
      long slowAfter = stage.slowAfter(lj.policy, job.doneCount(kind), total);
      if (slowAfter == Long.MAX_VALUE || (kind == TaskKind.MAP && !lj.pending.hasSplits())) {
        continue; // a map's new attempt needs its split
      }
      while (workers.anyFree()) {
        BookTask chosen = null;
        Workers.Worker on = null;
        for (var it = stage.candidates(); it.hasNext(); ) {
          BookAttempt a = it.next().getValue();
          examined[0]++;
          if (now - a.startTime() <= slowAfter) {
            break; // the rest started later
          }
          BookTask t = job.task(a.id());
          if (t.isDone() || t.grantedAttempt() != null || lj.speculated.contains(t)
              || runningCount(t) != 1) {
            it.remove();
            continue;
          }
          Predicate<Workers.Worker> ok = allowedFor(lj, a.workerId());
          Workers.Worker w = pickOn(lj.pending.hosts(t), ok);
          w = w != null ? w : workers.pick(ok);
          if (w == null) {
            return; // no other worker is free; it stays a candidate
          }
          it.remove();
          chosen = t;
          on = w;
          log.info("speculating {} of {} on {}: {} has run {} ms (slow after {} ms)", t.name(),
              job.id(), w.id, a.id(), now - a.startTime(), slowAfter);
          break;
        }
        if (chosen == null) {
          break;
        }
        lj.speculated.add(chosen);
        launch(lj, chosen, on);
      }
    }
  }

  private static int runningCount(BookTask t) {
    int n = 0;
    for (BookAttempt a : t.attempts()) {
      if (a.isRunning()) {
        n++;
      }
    }
    return n;
  }

  private void launch(LiveJob lj, BookTask task, Workers.Worker w) {
    BookJob job = lj.job;
    List<String> hosts = lj.pending.hosts(task);
    if (!hosts.isEmpty()) {
      long[] counts = locality.computeIfAbsent(job.id(), k -> new long[2]);
      if (hosts.contains(w.host)) {
        counts[0]++;
        lj.lastLocalLaunch = now;
      } else {
        counts[1]++;
      }
    }
    TaskAttemptId id =
        new TaskAttemptId(job.id(), task.kind(), task.index(), task.nextAttemptNumber());
    apply(new AttemptStarted(id, w.id, now));
    String out = job.spec().outputPath();
    String work = OutputLayout.attemptDir(out, id).toString();
    // The job's directory, shared by its attempts (their files are named for the attempt): a
    // directory per attempt was one of a small map's three inodes, most of its system CPU.
    String scratch = scratchDir(job.id()).toString();
    TaskSpec spec;
    if (task.kind() == TaskKind.MAP) {
      List<InputSplit> live = liveSplits.get(job.id());
      // A leader that took over from another has no split objects: the book's are the same (a
      // split of the job's own class stays bytes; the attempt reads it with the job's classes).
      InputSplit split = live != null ? live.get(task.index())
          : splitsOf(job).get(task.index()).toTaskSplit();
      spec = new MapTaskSpec(id, job.spec(), split, scratch, work);
    } else {
      // Built once per reduce phase, not once per reduce: a job's reduces share it.
      PendingTasks p = lj.pending;
      List<MapOutputRef> inputs = p.mapOutputs;
      if (inputs == null && !job.allMapsDone()) {
        // Slow start: the outputs there are so far; the attempt learns of the rest as each map
        // finishes (tellRunningReduces).
        inputs = job.maps().stream().map(BookTask::mapOutput).filter(o -> o != null).toList();
      } else if (inputs == null) {
        // List.copyOf: a list ReduceTaskSpec keeps as it is, where toList()'s (which allows
        // nulls) it would copy for every reduce (10,000 reduces of 90,000 maps: 9e8 copies).
        inputs = List.copyOf(job.maps().stream().map(BookTask::mapOutput).toList());
        p.mapOutputs = inputs;
      }
      spec = new ReduceTaskSpec(id, job.spec(), task.index(), inputs, scratch, work,
          job.maps().size());
    }
    workers.started(w, id);
    progress.put(id, 0f);
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
    if (workers.release(a.workerId(), a.id())) {
      effects.add(new Effect.KillTask(a.workerId(), a.id(), reason));
    }
  }

  private void freeSlot(String workerId, TaskAttemptId id) {
    progress.remove(id);
    workers.release(workerId, id);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Notes that a running attempt was heard from. */
  private void heard(TaskAttemptId id) {
    LiveJob lj = live.get(id.jobId());
    if (lj != null) {
      lj.silent.heard(id, now);
    }
  }

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
