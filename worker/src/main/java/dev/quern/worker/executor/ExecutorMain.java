package dev.quern.worker.executor;

import dev.quern.worker.cluster.TaskSpecCodec;
import dev.quern.worker.logs.AttemptLogAppender;
import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.ThreadRouting;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.runner.TaskMemory;
import dev.quern.worker.shuffle.http.HttpShuffleSource;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor JVM: runs one job's attempts for one worker, reading frames ({@link
 * ExecutorFrames}) on stdin and writing them on stdout, which it keeps for frames only ({@code
 * System.out} goes to stderr, and the worker starts it with {@code -XX:+DisplayVMOutputToStderr}).
 * When stdin ends (the worker closed it, or died) it halts at once: an executor never outlives
 * its worker.
 *
 * <p>A {@link ExecutorFrames#RELEASE} ends its job's part: it answers whether the job left
 * anything behind ({@link JobLeftovers}) and, if not, waits for the next job's bind (reuse,
 * {@link ExecutorPool}); else the worker closes its channel.
 *
 * <p>{@code ExecutorMain WORKER_ID JOB_ID SHUFFLE_HOST:PORT SLOTS} (JOB_ID {@code +}: a warm
 * spare, bound to its job by its first frame, {@link ExecutorBinding}): the shuffle address is the
 * worker's (map outputs report it; a reduce reads that worker's outputs in place and fetches the
 * others' over HTTP); the slots size the sort buffers as in the worker.
 *
 * <p>Given the worker's attempt logs ({@link AttemptLogs#fromSystemProperties}), each attempt's
 * {@code System.out}, {@code System.err} and log lines go to that attempt's files, by thread
 * ({@link ThreadRouting}, {@link AttemptLogAppender}); the executor's own go to its stderr.
 */
public final class ExecutorMain {
  private ExecutorMain() {}

  public static void main(String[] args) throws Exception {
    // Before anything can print: stdout is the channel.
    OutputStream channel = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
    System.setOut(System.err);
    if (args.length != 4) {
      System.err.println("usage: ExecutorMain WORKER_ID JOB_ID SHUFFLE_HOST:PORT SLOTS");
      System.exit(2);
    }
    // Each attempt's prints and log lines to its own files, if the worker keeps them.
    AttemptLogs logs = AttemptLogs.fromSystemProperties();
    if (logs != null) {
      ThreadRouting.install();
    }
    Logger log = LoggerFactory.getLogger(ExecutorMain.class);
    if (logs != null && !AttemptLogAppender.install()) {
      log.warn("slf4j is not bound to logback here: the attempts' log lines are not kept per "
          + "attempt (their stdout and stderr are)");
    }
    String shuffle = args[2];
    TaskMemory.register(Integer.parseInt(args[3]));
    DataInputStream in = new DataInputStream(new BufferedInputStream(
        new FileInputStream(FileDescriptor.in)));
    // A warm spare has started up to here before its job is known: it waits for its bind.
    ExecutorBinding job = ExecutorBinding.await(args[1], in, System.getenv());
    java.util.concurrent.atomic.AtomicReference<ExecutorAttempts> current =
        new java.util.concurrent.atomic.AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ExecutorAttempts a = current.get();
      if (a != null) {
        a.reportExiting();
      }
    }, "executor-exit"));
    // One job after another: the worker may hand this JVM, once a job of its ended cleanly
    // (RELEASE, then a bind), to its next job (ExecutorPool's reuse).
    for (int n = 1; job != null; n++) {
      JobLeftovers before = JobLeftovers.snapshot();
      // A secured cluster's worker gives this job's shuffle key (only): in the environment of an
      // executor started for the job, in the bind frame of a spare.
      HttpShuffleSource source = new HttpShuffleSource(shuffle, new WorkerMetrics(),
          dev.quern.worker.shuffle.http.ShuffleAccess.fromEnvironment(job.jobId(), job.env()));
      ExecutorAttempts attempts = new ExecutorAttempts(new PipelineTaskRunner(shuffle, source),
          channel, job.loader(), logs);
      current.set(attempts);
      if (n == 1) {
        log.info("executor of job {} for worker {} started (pid {})", job.jobId(), args[0],
            ProcessHandle.current().pid());
      } else {
        log.info("executor of job {} for worker {} started (pid {}; this JVM's job {})",
            job.jobId(), args[0], ProcessHandle.current().pid(), n);
      }
      boolean released;
      try {
        released = serve(job.jobId(), in, attempts);
      } catch (Throwable t) {
        log.error("executor of job {}: channel failed; exiting", job.jobId(), t);
        break;
      }
      if (!released) {
        log.info("executor of job {}: the worker closed the channel; exiting", job.jobId());
        break;
      }
      String left = attempts.awaitEnd(RELEASE_WAIT_MILLIS);
      if (left == null) {
        left = before.check(job.loader());
      }
      current.set(null);
      source.close();
      if (job.loader() instanceof java.net.URLClassLoader u
          && job.loader() != ClassLoader.getSystemClassLoader()) {
        u.close(); // its classes and their static state go with it
      }
      ExecutorFrames.Body b = new ExecutorFrames.Body(ExecutorFrames.RELEASED).text(left);
      synchronized (channel) {
        ExecutorFrames.write(channel, b);
      }
      if (left != null) {
        log.info("executor of job {}: serves no other job: {}", job.jobId(), left);
      } else {
        log.info("executor of job {}: the job ended cleanly; waiting for the next", job.jobId());
      }
      // Dirty: the worker closes the channel, and the await below returns null.
      try {
        job = ExecutorBinding.await(ExecutorBinding.SPARE, in, System.getenv());
      } catch (Throwable t) {
        log.error("executor: channel failed while waiting for a job; exiting", t);
        break;
      }
    }
    // Not System.exit: the shutdown hook would report the running attempts as exiting.
    Runtime.getRuntime().halt(0);
  }

  /** How long a release waits for the job's attempt threads to end. */
  private static final long RELEASE_WAIT_MILLIS = 2000;

  /**
   * Serves one job's frames: true at its {@link ExecutorFrames#RELEASE}, false when the channel
   * ends.
   */
  private static boolean serve(String jobId, DataInputStream in, ExecutorAttempts attempts)
      throws java.io.IOException {
    DataInputStream f;
    while ((f = ExecutorFrames.read(in)) != null) {
      byte type = f.readByte();
      switch (type) {
        case ExecutorFrames.RUN -> attempts.start(TaskSpecCodec.readTask(f));
        case ExecutorFrames.KILL -> attempts.kill(TaskSpecCodec.readAttempt(f));
        case ExecutorFrames.OUTPUTS -> {
          TaskAttemptId id = TaskSpecCodec.readAttempt(f);
          int n = f.readInt();
          List<MapOutputRef> added = new ArrayList<>(Math.min(n, 1 << 16));
          for (int i = 0; i < n; i++) {
            added.add(TaskSpecCodec.readMapOutput(f));
          }
          int w = f.readInt();
          List<TaskAttemptId> withdrawn = new ArrayList<>(Math.min(w, 1 << 16));
          for (int i = 0; i < w; i++) {
            withdrawn.add(TaskSpecCodec.readAttempt(f));
          }
          attempts.outputs(id, added, withdrawn);
        }
        case ExecutorFrames.RELEASE -> {
          return true;
        }
        default -> throw new java.io.IOException("executor of job " + jobId
            + ": unknown frame type " + type);
      }
    }
    return false;
  }
}
