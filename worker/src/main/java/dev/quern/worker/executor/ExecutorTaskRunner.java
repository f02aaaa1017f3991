package dev.quern.worker.executor;

import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs each attempt in its job's executor JVM ({@link ExecutorPool}) and waits for it on the
 * worker's slot thread, so the worker's slots, commit protocol and reports stay as they are. A
 * reduce's map output changes go to the executor as they come. A kill (the slot thread
 * interrupted) goes to the executor; an attempt that does not stop within the kill grace (a loop
 * that ignores interrupts) has its executor ended. An executor that ended under the attempt fails
 * it with the reason: its exit code, out of memory, a crash, or the kill.
 */
public final class ExecutorTaskRunner implements TaskRunner {
  private static final long FEED_POLL_MILLIS = 100;

  private final ExecutorPool pool;

  public ExecutorTaskRunner(ExecutorPool pool) {
    this.pool = pool;
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress)
      throws Exception {
    return run(spec, jobLoader, progress, null);
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress,
      MapOutputFeed feed) throws Exception {
    ExecutorProcess executor = pool.forJob(spec, jobLoader);
    ExecutorProcess.Call call = executor.run(spec, progress);
    ExecutorProcess.Outcome outcome;
    try {
      outcome = feed == null ? call.outcome.get() : awaitFeeding(spec, executor, call, feed);
    } catch (InterruptedException e) {
      stop(spec.id(), executor, call);
      throw e;
    }
    if (outcome instanceof ExecutorProcess.Outcome.Done d) {
      return d.result();
    } else if (outcome instanceof ExecutorProcess.Outcome.Failed f) {
      throw new RemoteTaskException(f.description(), f.stackTrace(), f.lost() == null ? null
          : new MapOutputLostException(f.lost(), -1, f.description()));
    } else if (outcome instanceof ExecutorProcess.Outcome.Lost l) {
      throw new RemoteTaskException(l.reason(), l.stackTrace(), null);
    }
    throw new InterruptedException("killed in its executor");
  }

  @Override
  public void killing(TaskAttemptId attempt) {
    pool.killing(attempt);
  }

  /** A killed attempt: the executor interrupts it; one that will not stop ends its executor. */
  private void stop(TaskAttemptId id, ExecutorProcess executor, ExecutorProcess.Call call) {
    executor.stopping(id);
    long grace = pool.settings().killGrace().toMillis();
    try {
      call.outcome.get(grace, TimeUnit.MILLISECONDS);
      executor.stopped(id);
    } catch (TimeoutException e) {
      executor.destroy("attempt " + id + " did not stop within " + grace + " ms of its kill");
    } catch (InterruptedException e) {
      executor.destroy("attempt " + id + " was killed");
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // cannot happen: outcomes complete normally
    }
  }

  /** Waits for a reduce, sending its map output changes on as they come. */
  private static ExecutorProcess.Outcome awaitFeeding(TaskSpec spec, ExecutorProcess executor,
      ExecutorProcess.Call call, MapOutputFeed feed) throws Exception {
    TaskAttemptId id = spec.id();
    Map<Integer, MapOutputRef> sent = new HashMap<>();
    if (spec instanceof dev.quern.worker.task.ReduceTaskSpec r) {
      r.inputs().forEach(ref -> sent.put(ref.mapIndex(), ref)); // the executor starts from these
    }
    MapOutputFeed.Snapshot seen = null;
    while (true) {
      MapOutputFeed.Snapshot now = seen == null ? feed.snapshot()
          : feed.awaitAfter(seen, FEED_POLL_MILLIS);
      if (seen == null || now.version() != seen.version()) {
        List<MapOutputRef> added = new ArrayList<>();
        List<TaskAttemptId> withdrawn = new ArrayList<>();
        now.outputs().forEach((map, ref) -> {
          if (!ref.equals(sent.get(map))) {
            added.add(ref);
          }
        });
        sent.forEach((map, ref) -> {
          if (!now.outputs().containsKey(map)) {
            withdrawn.add(ref.attempt());
          }
        });
        if (!added.isEmpty() || !withdrawn.isEmpty()) {
          try {
            executor.outputs(id, added, withdrawn);
          } catch (java.io.IOException e) {
            // the executor is gone: the call ends with the reason
          }
        }
        sent.clear();
        sent.putAll(now.outputs());
        seen = now;
      }
      if (call.outcome.isDone()) {
        return call.outcome.get();
      }
    }
  }
}
