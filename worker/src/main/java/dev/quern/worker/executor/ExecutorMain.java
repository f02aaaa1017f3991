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
    if (job == null) {
      Runtime.getRuntime().halt(0);
    }
    args[1] = job.jobId();
    // A secured cluster's worker gives this job's shuffle key (only): in the environment of an
    // executor started for the job, in the bind frame of a spare.
    HttpShuffleSource source = new HttpShuffleSource(shuffle, new WorkerMetrics(),
        dev.quern.worker.shuffle.http.ShuffleAccess.fromEnvironment(job.jobId(), job.env()));
    ExecutorAttempts attempts = new ExecutorAttempts(new PipelineTaskRunner(shuffle, source),
        channel, job.loader(), logs);
    Runtime.getRuntime().addShutdownHook(new Thread(attempts::reportExiting, "executor-exit"));
    log.info("executor of job {} for worker {} started (pid {})", args[1], args[0],
        ProcessHandle.current().pid());
    try {
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
          default -> throw new java.io.IOException("unknown frame type " + type);
        }
      }
      log.info("executor of job {}: the worker closed the channel; exiting", args[1]);
    } catch (Throwable t) {
      log.error("executor of job {}: channel failed; exiting", args[1], t);
    }
    // Not System.exit: the shutdown hook would report the running attempts as exiting.
    Runtime.getRuntime().halt(0);
  }
}
