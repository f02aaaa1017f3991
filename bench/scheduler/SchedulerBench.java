import dev.quern.api.Context;
import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobJournal;
import dev.quern.master.engine.Scheduler;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The pure scheduler driven as a master actor drives it, by a discrete-event simulation of its
 * workers (no threads, sockets or clocks): every attempt reports running, progress half way and
 * success (a reduce asks to commit first); kills are answered; a timeout tick every 250 ms of
 * simulated time; after every input the effects, job views and worker views are drained, as the
 * actor does. Prints the attempts started per second of CPU spent inside the scheduler's calls
 * (this thread's CPU time around each call), and the whole run's CPU.
 *
 * <p>Shapes: {@code one-job} one job of TASKS tasks (90% maps, 10% reduces) whose splits each
 * name 3 of WORKERS/4 hosts (4 workers a host); {@code one-job-speculative} the same with
 * speculation on; {@code many-jobs} 100 jobs of TASKS/100 tasks each, splits without hosts. In
 * every shape 1% of attempts run 5 times longer than the rest (0.5 to 1.5 s).
 *
 * <p>Usage: {@code java -cp CP SchedulerBench SHAPE WORKERS TASKS [SEED]}
 */
public class SchedulerBench {
  /** A map that is never run: the simulation only needs its name. */
  public static final class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long key, String value, Context<String, Long> ctx) {}
  }

  private record Ev(long time, long seq, WorkerReport report, String commitJob, boolean tick)
      implements Comparable<Ev> {
    @Override
    public int compareTo(Ev o) {
      return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Ev> events = new PriorityQueue<>();
  private final Set<TaskAttemptId> killed = new HashSet<>();
  private final Random random;
  /** The scheduler every input goes to (a subclass may hand one of its own). */
  protected final Scheduler scheduler;
  protected final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
  private long seq;
  protected long schedulerCpuNs;
  protected long assignments;
  protected long inputs;
  private int jobsLeft;

  private SchedulerBench(long seed) {
    this(seed, new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal()));
  }

  protected SchedulerBench(long seed, Scheduler scheduler) {
    this.random = new Random(seed);
    this.scheduler = scheduler;
  }

  // ---- hooks for a driver that puts something between the scheduler and the workers ----------

  /** After each input: what the scheduler decided, to carry out. The actor drains its effects. */
  protected void afterInput(long now) {
    carryOut(now, timedGet(scheduler::drainEffects));
  }

  /** The time of the driver's own next event (Long.MAX_VALUE: none). */
  protected long nextOwnEvent() {
    return Long.MAX_VALUE;
  }

  /** Runs the driver's own events due at {@code time}. */
  protected void runOwnEvents(long time) {
  }

  /** Before the first input (after the workers' and jobs' are set up by the subclass's order). */
  protected void start() {
  }

  private void at(long time, WorkerReport r) {
    events.add(new Ev(time, seq++, r, null, false));
  }

  public static void main(String[] args) {
    String shape = args[0];
    int workers = Integer.parseInt(args[1]);
    int tasks = Integer.parseInt(args[2]);
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
    SchedulerBench b = new SchedulerBench(seed);
    long wholeStart = b.cpu.getCurrentThreadCpuTime();
    long end = b.run(shape, workers, tasks);
    long whole = b.cpu.getCurrentThreadCpuTime() - wholeStart;
    b.print(shape, workers, tasks, end, whole);
  }

  protected void print(String shape, int workers, int tasks, long end, long whole) {
    SchedulerBench b = this;
    System.out.printf("shape=%s workers=%d tasks=%d assignments=%d inputs=%d simulated_s=%.1f "
            + "scheduler_cpu_s=%.3f whole_cpu_s=%.3f assignments_per_cpu_s=%.0f%n", shape,
        workers, tasks, b.assignments, b.inputs, end / 1000.0, b.schedulerCpuNs / 1e9,
        whole / 1e9, b.assignments / (b.schedulerCpuNs / 1e9));
  }

  protected long run(String shape, int workers, int tasks) {
    int hosts = Math.max(1, workers / 4);
    start();
    for (int w = 0; w < workers; w++) {
      WorkerReport.Register r = new WorkerReport.Register("w" + w, "host" + (w % hosts), 2, null);
      timed(() -> scheduler.report(r, 0));
      afterInput(0); // each registration is an input of its own, as in the actors
    }
    switch (shape) {
      case "one-job" -> submit("/out/0", tasks * 9 / 10, tasks / 10, hosts, false);
      case "one-job-speculative" -> submit("/out/0", tasks * 9 / 10, tasks / 10, hosts, true);
      case "many-jobs" -> {
        for (int j = 0; j < 100; j++) {
          submit("/out/" + j, tasks / 100 * 9 / 10, tasks / 100 / 10, 0, false);
        }
      }
      default -> throw new IllegalArgumentException("shape must be one-job, one-job-speculative or many-jobs: "
          + shape);
    }
    events.add(new Ev(250, seq++, null, null, true));
    long now = 0;
    while (jobsLeft > 0) {
      long own = nextOwnEvent();
      if (events.isEmpty() && own == Long.MAX_VALUE) {
        break;
      }
      if (events.isEmpty() || own <= events.peek().time()) {
        now = own;
        runOwnEvents(own);
        continue;
      }
      Ev e = events.poll();
      now = e.time();
      long t = now;
      if (e.tick()) {
        timed(() -> scheduler.checkTimeouts(t));
        events.add(new Ev(now + 250, seq++, null, null, true));
      } else if (e.commitJob() != null) {
        timed(() -> scheduler.commitFinished(e.commitJob(), t, null, t));
        jobsLeft--;
      } else {
        TaskAttemptId id = attemptOf(e.report());
        if (id != null && killed.contains(id)
            && !(e.report() instanceof WorkerReport.AttemptKilled)) {
          continue;
        }
        timed(() -> scheduler.report(e.report(), t));
      }
      inputs++;
      afterInput(now);
    }
    return now;
  }

  private void submit(String out, int maps, int reduces, int hosts, boolean speculate) {
    List<InputSplit> splits = new ArrayList<>(maps);
    for (int i = 0; i < maps; i++) {
      List<String> on = new ArrayList<>();
      if (hosts > 0) {
        int first = random.nextInt(hosts);
        for (int r = 0; r < Math.min(3, hosts); r++) {
          on.add("host" + ((first + r * 7) % hosts));
        }
      }
      splits.add(new FileSplit("/in/f" + i, 0, 64L << 20, on));
    }
    JobSpec spec = Job.builder("bench").input("/in").output(out).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(reduces)
        .set("quern.speculation", Boolean.toString(speculate)).build().spec();
    List<BookSplit> planned = BookSplit.ofAll(splits, null);
    timed(() -> scheduler.submit(spec, splits, planned, null, 0));
    jobsLeft++;
    afterInput(0);
  }

  /** Drains the views the actor drains after each input, and turns effects into future reports. */
  protected void carryOut(long now, List<Effect> effects) {
    timed(() -> {
      scheduler.drainJobViews();
      scheduler.drainWorkerViews();
    });
    for (Effect e : effects) {
      if (e instanceof Effect.RunTask r) {
        assignments++;
        TaskAttemptId a = r.spec().id();
        String w = r.workerId();
        long d = 500 + random.nextInt(1_000);
        if (random.nextInt(100) == 0) {
          d *= 5;
        }
        at(now + 1, new WorkerReport.AttemptRunning(a, w));
        at(now + d / 2, new WorkerReport.AttemptProgress(a, 0.5f));
        if (a.kind() == TaskKind.MAP) {
          at(now + d, new WorkerReport.AttemptSucceeded(a, w, new TaskResult(a, new Counters(),
              new MapOutputRef(a.taskIndex(), a, w, "/d", "/i"))));
        } else {
          at(now + d, new WorkerReport.CanCommit(a, null));
          at(now + d, new WorkerReport.AttemptSucceeded(a, w,
              new TaskResult(a, new Counters(), null)));
        }
      } else if (e instanceof Effect.KillTask k) {
        killed.add(k.attempt());
        at(now + 1, new WorkerReport.AttemptKilled(k.attempt(), k.workerId(), k.reason()));
      } else if (e instanceof Effect.CommitJob c) {
        events.add(new Ev(now + 10, seq++, null, c.jobId(), false));
      }
    }
  }

  private static TaskAttemptId attemptOf(WorkerReport r) {
    if (r instanceof WorkerReport.AttemptRunning x) {
      return x.attempt();
    } else if (r instanceof WorkerReport.AttemptProgress x) {
      return x.attempt();
    } else if (r instanceof WorkerReport.AttemptSucceeded x) {
      return x.attempt();
    } else if (r instanceof WorkerReport.CanCommit x) {
      return x.attempt();
    }
    return null;
  }

  protected void timed(Runnable r) {
    long t0 = cpu.getCurrentThreadCpuTime();
    r.run();
    schedulerCpuNs += cpu.getCurrentThreadCpuTime() - t0;
  }

  protected <T> T timedGet(java.util.function.Supplier<T> s) {
    long t0 = cpu.getCurrentThreadCpuTime();
    T v = s.get();
    schedulerCpuNs += cpu.getCurrentThreadCpuTime() - t0;
    return v;
  }
}
