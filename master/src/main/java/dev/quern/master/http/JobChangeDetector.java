package dev.quern.master.http;

import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import dev.quern.master.http.json.StateEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns whole-job snapshots into the job, task and attempt state changes they contain, plus
 * {@code progress} events when a running job moved on by {@link #PROGRESS_STEP}.
 *
 * <p>What it last told is kept per job in arrays by task index (states, and each task's
 * attempts' states in the order the view lists them), so comparing a snapshot costs a few array
 * reads per task: a job of 11,000 tasks is compared on every snapshot, and building a string
 * key and hashing it per task and attempt made this a large share of the master thread's time.
 */
final class JobChangeDetector {
  /**
   * Progress a running job must gain (map plus reduce, 0 to 2) before a {@code progress} event
   * tells the browsers: at most 40 such events per job.
   */
  static final double PROGRESS_STEP = 0.05;

  private static final AttemptState[] NO_ATTEMPTS = new AttemptState[0];

  private final Consumer<StateEvent> listener;
  private final Map<String, Told> jobs = new HashMap<>();

  /** What was told of one job. */
  private static final class Told {
    String state;
    /** Map plus reduce progress (0 to 2) last told; negative before the first snapshot. */
    double progress = -1;
    final Tasks maps = new Tasks();
    final Tasks reduces = new Tasks();
  }

  /** The states told of one kind of task, by task index. */
  private static final class Tasks {
    TaskState[] states = new TaskState[0];
    AttemptState[][] attempts = new AttemptState[0][];
    String[][] attemptIds = new String[0][];

    void clear() {
      states = new TaskState[0];
      attempts = new AttemptState[0][];
      attemptIds = new String[0][];
    }

    void fit(int n) {
      if (n > states.length) {
        int size = Math.max(n, states.length * 2);
        states = Arrays.copyOf(states, size);
        attempts = Arrays.copyOf(attempts, size);
        attemptIds = Arrays.copyOf(attemptIds, size);
      }
    }
  }

  JobChangeDetector(Consumer<StateEvent> listener) {
    this.listener = listener;
  }

  // The cluster calls listeners on one thread, in order; the lock guards against a second one.
  synchronized void onEvent(ClusterEvent event) {
    if (!(event instanceof ClusterEvent.JobUpdated u)) {
      return;
    }
    JobView j = u.job();
    long now = System.currentTimeMillis();
    Told told = jobs.computeIfAbsent(j.id(), id -> new Told());
    // A job's start is told before its tasks' changes, its end after them.
    String state = j.state().name();
    if (j.state().isFinal() && state.equals(told.state)) {
      return; // told already; an ended job's tasks change no more
    }
    boolean jobChanged = !state.equals(told.state);
    told.state = state;
    if (jobChanged && !j.state().isFinal()) {
      listener.accept(StateEvent.job(j.id(), state, now));
    }
    compare(j.id(), j.maps(), told.maps, now);
    compare(j.id(), j.reduces(), told.reduces, now);
    double progress = j.mapProgress() + j.reduceProgress();
    if (!j.state().isFinal() && (told.progress < 0 || progress - told.progress >= PROGRESS_STEP)) {
      if (told.progress >= 0) {
        listener.accept(new StateEvent("progress", j.id(), null, null, state, now));
      }
      told.progress = progress;
    }
    if (jobChanged && j.state().isFinal()) {
      listener.accept(StateEvent.job(j.id(), state, now));
    }
    if (j.state().isFinal()) {
      // An ended job's tasks change no more; forget them so the detector stays small (its end
      // state stays, so that a later snapshot of it tells nothing again).
      told.maps.clear();
      told.reduces.clear();
    }
  }

  private void compare(String jobId, List<TaskView> tasks, Tasks told, long now) {
    int slot = 0;
    for (TaskView t : tasks) {
      // Views list a job's tasks by index; one that does not is still told right, by position.
      int i = t.index() >= 0 ? t.index() : slot;
      slot++;
      told.fit(i + 1);
      if (t.state() != told.states[i]) {
        told.states[i] = t.state();
        listener.accept(new StateEvent("task", jobId, t.name(), null, t.state().name(), now));
      }
      List<AttemptView> attempts = t.attempts();
      AttemptState[] was = told.attempts[i] == null ? NO_ATTEMPTS : told.attempts[i];
      String[] wasIds = told.attemptIds[i];
      if (attempts.size() != was.length) {
        was = Arrays.copyOf(was, attempts.size());
        wasIds = wasIds == null ? new String[attempts.size()]
            : Arrays.copyOf(wasIds, attempts.size());
        told.attempts[i] = was;
        told.attemptIds[i] = wasIds;
      }
      for (int k = 0; k < attempts.size(); k++) {
        AttemptView a = attempts.get(k);
        if (a.state() != was[k] || !a.id().equals(wasIds[k])) {
          was[k] = a.state();
          wasIds[k] = a.id();
          listener.accept(StateEvent.attempt(jobId, t.name(), a.id(), a.state().name(),
              a.endTime() > 0 ? a.endTime() : a.startTime()));
        }
      }
    }
  }
}
