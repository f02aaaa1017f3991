package dev.quern.worker.executor;

import dev.quern.worker.cluster.TaskSpecCodec;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's handle on one executor JVM of one job: starts it, sends it attempts, and hears
 * their ends on a reader thread. When the JVM ends with attempts still running (the task called
 * {@code System.exit}, ran out of memory, crashed the JVM, or the worker ended it because a
 * killed attempt would not stop), each of them ends {@link Outcome.Lost} with the reason ({@link
 * ExitReason}). Thread-safe.
 */
final class ExecutorProcess {
  private static final Logger log = LoggerFactory.getLogger(ExecutorProcess.class);

  /** How an attempt in the executor ended. */
  sealed interface Outcome {
    record Done(TaskResult result) implements Outcome {}

    record Failed(String description, String stackTrace, MapOutputRef lost) implements Outcome {}

    record Killed() implements Outcome {}

    /** The executor JVM ended under the attempt. */
    record Lost(String reason, String stackTrace) implements Outcome {}
  }

  /** One attempt sent to the executor. */
  static final class Call {
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    final TaskProgress progress;
    volatile String exitingAt;

    Call(TaskProgress progress) {
      this.progress = progress;
    }
  }

  /** Why {@link #shutdown} ends an executor. */
  static final String JOB_ENDED = "its job ended";

  /** The job, or null while this is a spare ({@link #bind}). */
  private volatile String jobId;
  private final String memory;
  private final dev.quern.worker.metrics.WorkerMetrics metrics;
  private final Process process;
  private final OutputStream in;
  private volatile Path stderr;
  private final Map<TaskAttemptId, Call> calls = new ConcurrentHashMap<>();
  private final long started = System.currentTimeMillis();
  private volatile String endedBecause;
  private volatile boolean dead;
  /** Kills sent whose attempts have not ended yet: new attempts go to a new executor. */
  /** Attempts killed here that have not ended yet: while any runs, no new attempt comes here. */
  private final java.util.Set<TaskAttemptId> stopping =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether the first job's jar is on its class path (its classes outlive the job). */
  private final boolean jarOnClassPath;
  /** How many jobs it was given (bound to or started for), this one included. */
  private volatile int jobs;
  /** Whether an attempt was ever killed in it (it serves no other job then). */
  private volatile boolean killedAny;
  /** The answer to a release sent, or null. */
  private volatile CompletableFuture<String> released;

  private ExecutorProcess(String jobId, String memory, Process process, Path stderr,
      dev.quern.worker.metrics.WorkerMetrics metrics, boolean jarOnClassPath) {
    this.metrics = metrics;
    this.jarOnClassPath = jarOnClassPath;
    this.jobs = jobId == null ? 0 : 1;
    this.jobId = jobId;
    this.memory = memory;
    this.process = process;
    this.in = new BufferedOutputStream(process.getOutputStream());
    this.stderr = stderr;
  }

  /**
   * Starts the executor JVM of job {@code jobId}: the worker's class path plus {@code jar} (null:
   * none), heap {@code memory}, stderr to {@code stderr}.
   */
  static ExecutorProcess start(ExecutorSettings s, String jobId, Path jar, String memory,
      Path stderr, dev.quern.worker.metrics.WorkerMetrics metrics) throws IOException {
    return launch(s, jobId, jar, memory, stderr, metrics);
  }

  /**
   * Starts a warm spare: an executor JVM of no job yet, with the worker's class path and the
   * default heap, that starts up as far as it can and waits for {@link #bind}. Its stderr goes to
   * {@code stderr} until then.
   */
  static ExecutorProcess startSpare(ExecutorSettings s, Path stderr,
      dev.quern.worker.metrics.WorkerMetrics metrics) throws IOException {
    return launch(s, null, null, s.defaultMemory(), stderr, metrics);
  }

  private static ExecutorProcess launch(ExecutorSettings s, String jobId, Path jar,
      String memory, Path stderr, dev.quern.worker.metrics.WorkerMetrics metrics)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(s.java());
    // Stdout is the channel to the worker. A flight recording started with
    // -XX:StartFlightRecording prints its start notice on stdout, whatever else unified logging
    // is told (an -Xlog:all=...:stderr does not move it; only switching the tag set off on
    // stdout does): that made every executor of a worker whose java-options held it fail its
    // channel at once. Options of the worker's own come after, so an -Xlog of theirs applies.
    cmd.add("-Xlog:jfr+startup=off");
    // Reduces fetch other workers' map outputs with the JDK's HttpClient, which moves a body
    // through its selector thread in buffers of jdk.httpclient.bufsize (16 KiB by default):
    // 1 MiB ones took a 256 MiB fetch from 3.5 s to 2.0 s of CPU (bench/cluster/RESULTS.md,
    // section 4). Before the worker's own options, so a value of theirs wins.
    cmd.add("-Djdk.httpclient.bufsize=1048576");
    cmd.addAll(ExecutorCollector.options(s.javaOptions()));
    cmd.addAll(s.javaOptions());
    cmd.add("-Xmx" + memory);
    // OOM ends the JVM at once with a line on stderr the worker recognises; every line the JVM
    // itself prints goes to stderr, never into the channel on stdout.
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-XX:+DisplayVMOutputToStderr");
    cmd.add("-XX:ErrorFile=" + stderr.getParent().resolve("hs_err_pid%p.log"));
    cmd.add("-cp");
    cmd.add(jar == null ? s.classPath()
        : s.classPath() + java.io.File.pathSeparator + jar.toAbsolutePath());
    cmd.add(ExecutorMain.class.getName());
    cmd.add(s.workerId());
    cmd.add(jobId == null ? ExecutorBinding.SPARE : jobId);
    cmd.add(s.shuffleAddress());
    cmd.add(Integer.toString(s.slots()));
    Files.createDirectories(stderr.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    // The job's code gets its own job's shuffle key, never the worker's credentials directory.
    pb.environment().remove(dev.quern.worker.security.HttpAuth.ENV);
    if (jobId != null) { // a spare gets its job's key in its bind frame
      pb.environment().putAll(s.shuffleAccess().executorEnvironment(jobId));
    }
    Process p = pb.start();
    ExecutorProcess e = new ExecutorProcess(jobId, memory, p, stderr, metrics, jar != null);
    metrics.executorStarted();
    Thread reader = new Thread(e::readLoop, "executor-" + (jobId == null ? "spare" : jobId)
        + "-" + p.pid());
    reader.setDaemon(true);
    reader.start();
    if (jobId == null) {
      log.info("worker {}: started spare executor JVM {} (heap {})", s.workerId(), p.pid(),
          memory);
    } else {
      log.info("worker {}: started executor JVM {} for job {} (heap {})", s.workerId(), p.pid(),
          jobId, memory);
    }
    return e;
  }

  /**
   * Binds this spare to job {@code job}, whose jar is {@code jar} (null: none): the first frame
   * on its channel, so it comes before any attempt, with what an executor started for the job
   * finds in its environment ({@code env}: the job's shuffle key on a secured cluster). Its stderr file moves to {@code stderr}
   * (the JVM keeps appending to the same file under its new name; a reused JVM's file gets a
   * second name in the job's directory). False if it is no spare (bound to a job now) or is gone;
   * the caller then starts a JVM of the job's own.
   */
  synchronized boolean bind(String workerId, String job, Path jar, Path jobStderr,
      java.util.Map<String, String> env) {
    if (jobId != null || !alive()) {
      return false;
    }
    try {
      send(ExecutorBinding.frame(job, jar, env));
    } catch (IOException e) {
      destroy("its channel failed while it was bound to job " + job + ": " + e.getMessage());
      return false;
    }
    jobId = job;
    int n = ++jobs;
    try {
      Files.createDirectories(jobStderr.getParent());
      if (Files.exists(jobStderr)) { // an earlier worker's, on this data directory: kept aside
        Files.move(jobStderr, jobStderr.resolveSibling(jobStderr.getFileName() + "."
            + Files.getLastModifiedTime(jobStderr).toMillis()));
      }
      if (n == 1) {
        Files.move(stderr, jobStderr);
      } else {
        // Its file is its earlier job's too: a second name for it in this job's directory (the
        // JVM appends to the one file; both names show all its lines).
        Files.createLink(jobStderr, stderr);
      }
      stderr = jobStderr;
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("executor JVM {} of job {}: its stderr stays in {} ({})", pid(), job, stderr,
          e.toString());
    }
    // The words of a cold start's line (operators and tests look for them), and what differs.
    if (n == 1) {
      log.info("worker {}: started executor JVM {} for job {} (heap {}; the warm spare, bound "
          + "now)", workerId, pid(), job, memory);
    } else {
      log.info("worker {}: started executor JVM {} for job {} (heap {}; reused: its job {})",
          workerId, pid(), job, memory, n);
    }
    return true;
  }

  /** The user of its last job (null: none yet). */
  private volatile String user;

  /**
   * Whether it may be bound to a job of {@code jobUser}: a spare never bound may go to anyone; a
   * released one only to a job of the user its jobs were of (what a job may have left in the JVM
   * that no check sees stays with that user, as Spark keeps an application's executors to it).
   */
  boolean mayServe(String jobUser) {
    String u = user;
    return u == null || u.equals(String.valueOf(jobUser));
  }

  /** Its current job's user, as the pool learns it. */
  void user(String jobUser) {
    if (user == null) {
      user = String.valueOf(jobUser);
    }
  }

  /** How many jobs it was given, the current one included. */
  int jobs() {
    return jobs;
  }

  /**
   * Whether it may serve a job after its current one, as far as the worker knows: alive, no
   * attempt running or being killed, none ever killed, and its class path the worker's alone.
   * The executor itself then checks what the job left ({@link #release}).
   */
  boolean mayServeAgain() {
    return takesAttempts() && calls.isEmpty() && !killedAny && !jarOnClassPath
        && jobId != null;
  }

  /**
   * Asks the executor to let its job go ({@link ExecutorFrames#RELEASE}): the answer is null if
   * it ended cleanly and waits for a bind, else why it serves no other job. Completes with a
   * reason too if the JVM ends first.
   */
  CompletableFuture<String> release() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    released = answer;
    try {
      send(new ExecutorFrames.Body(ExecutorFrames.RELEASE));
    } catch (IOException e) {
      answer.complete("its channel failed: " + e.getMessage());
    }
    if (dead) {
      answer.complete("it ended");
    }
    return answer;
  }

  /** After a clean release: a spare again, for {@link #bind}. */
  void unbind() {
    jobId = null;
  }

  /** Where its stderr goes now. */
  Path stderr() {
    return stderr;
  }

  /** Whether this is a spare not bound to a job yet. */
  boolean spare() {
    return jobId == null;
  }

  long pid() {
    return process.pid();
  }

  String memory() {
    return memory;
  }

  long startedMillis() {
    return started;
  }

  int running() {
    return calls.size();
  }

  boolean alive() {
    return !dead && process.isAlive();
  }

  /**
   * Takes new attempts: alive, and no killed attempt is still running in it (one that ignores
   * its kill takes the JVM down with it, and a new attempt must not be there when it does).
   */
  boolean takesAttempts() {
    return alive() && stopping.isEmpty();
  }

  /**
   * Whether another attempt of {@code id}'s task runs here now. The master starts a new attempt
   * of a task only once it has given up on the older one, and its kill of that one may reach the
   * worker after the new attempt (they come by different paths): the new one must not share the
   * JVM that the older one, if it ignores its kill, takes down.
   */
  boolean runsAnotherAttemptOf(TaskAttemptId id) {
    for (TaskAttemptId a : calls.keySet()) {
      if (!a.equals(id) && a.kind() == id.kind() && a.taskIndex() == id.taskIndex()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code id} runs here now. */
  boolean runs(TaskAttemptId id) {
    return calls.containsKey(id);
  }

  /**
   * Sends a kill (once) and keeps new attempts away until the attempt ends: the worker marks it
   * as soon as it decides the kill, before the retry's task can reach this executor.
   */
  void stopping(TaskAttemptId id) {
    killedAny = true;
    if (stopping.add(id)) {
      kill(id);
    }
  }

  /** A killed attempt ended within the grace. */
  void stopped(TaskAttemptId id) {
    stopping.remove(id);
  }

  /** Sends {@code spec} to run; the call ends with the attempt. */
  Call run(TaskSpec spec, TaskProgress progress) throws IOException {
    Call c = new Call(progress);
    calls.put(spec.id(), c);
    ExecutorFrames.Body b = new ExecutorFrames.Body(ExecutorFrames.RUN);
    TaskSpecCodec.writeTask(b, spec);
    try {
      send(b);
    } catch (IOException e) {
      calls.remove(spec.id());
      throw new IOException("executor JVM " + pid() + " of job " + jobId + " is gone: " + e, e);
    }
    if (dead) { // it ended between the put and the send: nobody else completes the call
      lose(spec.id(), c, "executor JVM " + pid() + " of job " + jobId + " ended");
    }
    return c;
  }

  void kill(TaskAttemptId id) {
    try {
      send(new ExecutorFrames.Body(ExecutorFrames.KILL).attempt(id));
    } catch (IOException e) {
      // gone: the reader ends the calls
    }
  }

  void outputs(TaskAttemptId id, List<MapOutputRef> added, List<TaskAttemptId> withdrawn)
      throws IOException {
    ExecutorFrames.Body b = new ExecutorFrames.Body(ExecutorFrames.OUTPUTS).attempt(id);
    b.writeInt(added.size());
    for (MapOutputRef r : added) {
      TaskSpecCodec.writeMapOutput(b, r);
    }
    b.writeInt(withdrawn.size());
    for (TaskAttemptId w : withdrawn) {
      TaskSpecCodec.writeAttempt(b, w);
    }
    send(b);
  }

  /** Ends the JVM at once; its running attempts end {@link Outcome.Lost} with {@code why}. */
  void destroy(String why) {
    if (endedBecause == null) {
      endedBecause = why;
    }
    process.destroyForcibly();
  }

  /** The job ended: closes the channel (the executor halts), and ends the JVM if it lingers. */
  void shutdown() {
    endedBecause = endedBecause == null ? JOB_ENDED : endedBecause;
    try {
      in.close();
    } catch (IOException e) {
      // already gone
    }
    process.onExit().orTimeout(5, TimeUnit.SECONDS).whenComplete((p, err) -> {
      if (err != null) { // it did not halt on its own
        process.destroyForcibly();
      }
    });
  }

  private void send(ExecutorFrames.Body b) throws IOException {
    synchronized (in) {
      ExecutorFrames.write(in, b);
    }
  }

  private void readLoop() {
    String error = null;
    try (DataInputStream out = new DataInputStream(new BufferedInputStream(
        process.getInputStream()))) {
      DataInputStream f;
      while ((f = ExecutorFrames.read(out)) != null) {
        byte type = f.readByte();
        if (type == ExecutorFrames.RELEASED) {
          String why = ExecutorFrames.readText(f);
          CompletableFuture<String> r = released;
          if (r != null) {
            r.complete(why);
          }
          continue;
        }
        TaskAttemptId id = TaskSpecCodec.readAttempt(f);
        Call c = calls.get(id);
        switch (type) {
          case ExecutorFrames.PROGRESS -> {
            float fraction = f.readFloat();
            if (c != null) {
              c.progress.report(fraction);
            }
          }
          case ExecutorFrames.DONE -> end(id, new Outcome.Done(new TaskResult(id,
              TaskSpecCodec.readCounters(f), ExecutorFrames.readOutput(f))));
          case ExecutorFrames.FAILED -> end(id, new Outcome.Failed(ExecutorFrames.readText(f),
              ExecutorFrames.readText(f), ExecutorFrames.readOutput(f)));
          case ExecutorFrames.KILLED -> end(id, new Outcome.Killed());
          case ExecutorFrames.EXITING -> {
            if (c != null) {
              c.exitingAt = ExecutorFrames.readText(f);
            }
          }
          default -> throw new IOException("unknown frame type " + type);
        }
      }
    } catch (IOException | RuntimeException e) {
      error = e.toString();
      if (process.isAlive()) {
        destroy("its channel failed: " + e.getMessage());
      }
    }
    int code;
    try {
      code = process.onExit().get(30, TimeUnit.SECONDS).exitValue();
    } catch (Exception e) {
      process.destroyForcibly();
      code = -1;
    }
    dead = true;
    CompletableFuture<String> r = released;
    if (r != null) {
      r.complete("it ended");
    }
    List<String> tail = ExitReason.tail(stderr, 20);
    String job = jobId == null ? "(a spare, never bound)" : jobId;
    String reason = ExitReason.describe(job, pid(), code, endedBecause, memory, tail);
    metrics.executorEnded(ExitReason.category(code, endedBecause, tail));
    if (calls.isEmpty()) {
      log.info("executor JVM {} of job {} ended: {}", pid(), job, reason);
    } else {
      log.warn("executor JVM {} of job {} ended under {} attempt(s): {}{}", pid(), job,
          calls.size(), reason, error == null ? "" : " (" + error + ")");
    }
    for (Map.Entry<TaskAttemptId, Call> e : Map.copyOf(calls).entrySet()) {
      lose(e.getKey(), e.getValue(), reason);
    }
  }

  private void lose(TaskAttemptId id, Call c, String reason) {
    String at = c.exitingAt;
    String why = at != null && (at.contains("java.lang.System.exit")
        || at.contains("java.lang.Runtime.exit")) ? reason + "; the task called System.exit"
        : reason;
    end(id, new Outcome.Lost(why, at == null ? null : why + "\n" + at));
  }

  private void end(TaskAttemptId id, Outcome o) {
    Call c = calls.remove(id);
    stopping.remove(id);
    if (c != null) {
      c.outcome.complete(o);
    }
  }
}
