package dev.quern.worker.executor;

import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.AttemptOutput;
import dev.quern.worker.logs.ThreadRouting;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.OpaqueSplit;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.ClosedByInterruptException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The executor's side of its attempts: each on a thread of its own, through the data path's
 * {@link TaskRunner}, its progress, result or failure written back as frames. The commit question
 * and the commit stay with the worker: the executor only runs the task.
 */
final class ExecutorAttempts {
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final TaskRunner runner;
  private final OutputStream channel;
  private final ClassLoader loader;
  private final Map<TaskAttemptId, Running> running = new ConcurrentHashMap<>();

  private record Running(Thread thread, MapOutputFeed feed) {}

  /** Every attempt thread started for this job (a release waits for them to end). */
  private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Why the JVM must not serve another job after this one (an attempt killed or failed). */
  private volatile String spoiled;

  /** Where each attempt's output goes (null: the executor's stderr, as its own). */
  private final AttemptLogs logs;

  ExecutorAttempts(TaskRunner runner, OutputStream channel, ClassLoader loader) {
    this(runner, channel, loader, null);
  }

  ExecutorAttempts(TaskRunner runner, OutputStream channel, ClassLoader loader,
      AttemptLogs logs) {
    this.runner = runner;
    this.channel = channel;
    this.loader = loader;
    this.logs = logs;
  }

  void start(TaskSpec spec) {
    MapOutputFeed feed = spec instanceof ReduceTaskSpec r ? new MapOutputFeed(r.inputs()) : null;
    Thread t = new Thread(() -> run(spec, feed), "attempt-" + spec.id());
    t.setDaemon(true);
    running.put(spec.id(), new Running(t, feed));
    threads.add(t);
    t.start();
  }

  void kill(TaskAttemptId id) {
    spoil("attempt " + id + " was killed in it");
    Running r = running.get(id);
    if (r != null) {
      r.thread().interrupt();
    }
  }

  void outputs(TaskAttemptId id, List<MapOutputRef> added, List<TaskAttemptId> withdrawn) {
    Running r = running.get(id);
    if (r != null && r.feed() != null) {
      r.feed().update(added, withdrawn);
    }
  }

  private void run(TaskSpec task, MapOutputFeed feed) {
    AttemptOutput output = null;
    if (logs != null) {
      try {
        output = logs.open(task.id());
        ThreadRouting.enter(output);
      } catch (IOException e) {
        System.err.println("attempt " + task.id() + ": cannot open its log files in "
            + logs.root() + ": " + e + "; its output goes to the executor's stderr");
      }
    }
    try {
      runAndReport(task, feed, output);
    } finally {
      ThreadRouting.leave();
      if (output != null) {
        output.close();
      }
    }
  }

  /** Runs the attempt; its log files are closed (complete) before the worker hears its end. */
  private void runAndReport(TaskSpec task, MapOutputFeed feed, AttemptOutput output) {
    ExecutorFrames.Body report;
    try {
      try {
        TaskSpec spec = OpaqueSplit.readIn(task, loader);
        TaskResult r = runner.run(spec, loader, progress(spec.id()), feed);
        ExecutorFrames.Body b = new ExecutorFrames.Body(ExecutorFrames.DONE).attempt(task.id());
        dev.quern.worker.cluster.TaskSpecCodec.writeCounters(b, r.counters());
        report = b.output(r.mapOutput());
      } catch (Throwable t) {
        report = failure(task.id(), t);
      }
      running.remove(task.id());
      if (output != null) {
        output.close();
      }
      send(report);
    } catch (IOException e) {
      // The channel is gone: the worker is, too, and the main thread halts.
    }
  }

  private void spoil(String why) {
    if (spoiled == null) {
      spoiled = why;
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for every attempt thread of the job to end; then the
   * reason this JVM must not run another job (an attempt was killed or failed, or one still
   * runs), or null.
   */
  String awaitEnd(long timeoutMillis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (Thread t : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (left > 0) {
        t.join(left);
      }
      if (t.isAlive()) {
        return "its attempt thread " + t.getName() + " still runs";
      }
    }
    return spoiled;
  }

  private ExecutorFrames.Body failure(TaskAttemptId id, Throwable t) throws IOException {
    // A failed attempt may have left its user code's state half-changed (static fields of
    // classes outside the job's loader, open resources): the JVM serves no other job.
    spoil("attempt " + id + " failed in it (" + t + ")");
    if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
        || Thread.currentThread().isInterrupted()) {
      return new ExecutorFrames.Body(ExecutorFrames.KILLED).attempt(id);
    }
    MapOutputRef lost = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MapOutputLostException m) {
        lost = m.output();
        break;
      }
    }
    return new ExecutorFrames.Body(ExecutorFrames.FAILED).attempt(id).text(t.toString())
        .text(stackTrace(t)).output(lost);
  }

  private TaskProgress progress(TaskAttemptId id) {
    return new TaskProgress() {
      private long last = System.nanoTime() - PROGRESS_INTERVAL_NANOS;

      @Override
      public void report(float fraction) {
        long now = System.nanoTime();
        if (now - last >= PROGRESS_INTERVAL_NANOS) {
          last = now;
          try {
            ExecutorFrames.Body b = new ExecutorFrames.Body(ExecutorFrames.PROGRESS).attempt(id);
            b.writeFloat(fraction);
            send(b);
          } catch (IOException e) {
            // the worker is gone; the main thread halts
          }
        }
      }
    };
  }

  /**
   * From the shutdown hook: the JVM is exiting (a task called {@code System.exit}, or a signal)
   * while attempts run; where each attempt's thread is tells the worker who did it.
   */
  void reportExiting() {
    for (Map.Entry<TaskAttemptId, Running> e : running.entrySet()) {
      StringBuilder s = new StringBuilder("thread " + e.getValue().thread().getName() + "\n");
      for (StackTraceElement el : e.getValue().thread().getStackTrace()) {
        s.append("\tat ").append(el).append('\n');
      }
      try {
        send(new ExecutorFrames.Body(ExecutorFrames.EXITING).attempt(e.getKey())
            .text(s.toString()));
      } catch (IOException | RuntimeException ex) {
        return;
      }
    }
  }

  private void send(ExecutorFrames.Body b) throws IOException {
    synchronized (channel) {
      ExecutorFrames.write(channel, b);
    }
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
