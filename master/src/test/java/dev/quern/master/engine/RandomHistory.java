package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.io.FileSplit;
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
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random job histories as a scheduler could make them: each event is chosen among those that fit
 * the book so far (a few do not: a second job for a live job's output directory, and now and then
 * a stale event, as two leaders' proposals racing would give), so that long histories reach every
 * state: retries, lost map outputs, grants, commits, kills and failures.
 */
final class RandomHistory {
  private static final String[] OUTPUTS = {"/out/a", "/out/b", "/out/c", "/out/d"};
  private static final String[] TEXT = {"boom", "no space left", "é ✓ 𝄞", "", "line\nbreak"};

  private final SplittableRandom random;
  private final JobBook sim = new JobBook();
  private long time = 1_000;

  RandomHistory(SplittableRandom random) {
    this.random = random;
  }

  static List<JobEvent> of(SplittableRandom random, int length) {
    RandomHistory h = new RandomHistory(random);
    List<JobEvent> events = new ArrayList<>();
    while (events.size() < length) {
      JobEvent e = h.next();
      if (e != null) {
        h.sim.apply(e);
        events.add(e);
      }
    }
    return events;
  }

  /** One event, or null when the chosen kind has no candidate now. */
  private JobEvent next() {
    time += random.nextInt(50);
    List<BookJob> live = sim.jobs().stream().filter(j -> !j.state().isFinal()).toList();
    int roll = random.nextInt(100);
    if (roll < 8 || live.isEmpty()) {
      return accept();
    }
    BookJob job = live.get(random.nextInt(live.size()));
    if (roll < 10) {
      String why = random.nextBoolean() ? null : text();
      return random.nextBoolean() ? new JobKilled(job.id(), why, time)
          : new JobFailed(job.id(), text(), time);
    }
    if (roll < 13) {
      return stale(job);
    }
    if (job.state() == JobState.COMMITTING) {
      return new JobSucceeded(job.id(), time);
    }
    if (job.allTasksDone()) {
      return new JobCommitting(job.id(), time);
    }
    List<BookAttempt> running = job.runningAttempts();
    if (roll < 45 || running.isEmpty()) {
      return start(job);
    }
    return end(job, running.get(random.nextInt(running.size())));
  }

  private JobEvent accept() {
    int reduces = random.nextInt(3);
    Job.Builder b = Job.builder("job " + random.nextInt(1000)).input("/in")
        .output(OUTPUTS[random.nextInt(OUTPUTS.length)]).mapper(JobBookTest.NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(reduces);
    if (random.nextBoolean()) {
      b.set(EngineKeys.MAX_ATTEMPTS, Integer.toString(1 + random.nextInt(4)));
    }
    if (random.nextBoolean()) {
      b.set("user.key." + random.nextInt(9), text());
    }
    JobSpec spec = b.build().spec();
    List<BookSplit> splits = new ArrayList<>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (random.nextBoolean()) {
        splits.add(new BookSplit.File(new FileSplit("/in/f" + i, random.nextInt(1000),
            random.nextInt(1 << 20), random.nextBoolean() ? List.of() : List.of("h1", "h2"))));
      } else {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        splits.add(new BookSplit.Opaque(bytes, random.nextLong(1L << 40),
            random.nextBoolean() ? List.of() : List.of("h3"), "rows " + i + " " + text()));
      }
    }
    return new JobAccepted(spec, splits, time);
  }

  private JobEvent start(BookJob job) {
    List<BookTask> open = new ArrayList<>();
    job.maps().stream().filter(t -> !t.isDone()).forEach(open::add);
    job.reduces().stream().filter(t -> !t.isDone()).forEach(open::add);
    if (open.isEmpty()) {
      return null;
    }
    BookTask t = open.get(random.nextInt(open.size()));
    TaskAttemptId id = new TaskAttemptId(job.id(), t.kind(), t.index(), t.nextAttemptNumber());
    return new AttemptStarted(id, "w" + random.nextInt(3), time);
  }

  private JobEvent end(BookJob job, BookAttempt a) {
    TaskAttemptId id = a.id();
    BookTask task = job.task(id);
    int roll = random.nextInt(100);
    if (roll < 15) {
      return new AttemptFailed(id, text(), random.nextBoolean() ? null : "at " + text(), time);
    }
    if (roll < 25) {
      return new AttemptKilled(id, text(), time);
    }
    if (roll < 35 && id.kind() == TaskKind.REDUCE) {
      List<BookTask> doneMaps = job.maps().stream().filter(BookTask::isDone).toList();
      if (!doneMaps.isEmpty()) {
        BookTask map = doneMaps.get(random.nextInt(doneMaps.size()));
        TaskAttemptId lost = random.nextInt(4) == 0
            ? new TaskAttemptId(job.id(), TaskKind.MAP, map.index(), 1) // maybe stale
            : map.committedAttempt();
        return new MapOutputLost(id, map.index(), lost, text(), time);
      }
    }
    if (task.isDone()) {
      return new AttemptKilled(id, "another attempt finished first", time);
    }
    if (id.kind() == TaskKind.MAP && job.spec().reduceTasks() > 0) {
      return new MapDone(id, new MapOutputRef(id.taskIndex(), id, "host" + random.nextInt(2),
          "/w/" + id.dirName() + ".data", "/w/" + id.dirName() + ".index"), counters(), time);
    }
    if (task.grantedAttempt() == null) {
      return new CommitGranted(id, time);
    }
    if (task.grantedAttempt().equals(id)) {
      return new TaskCommitted(id, random.nextInt(5) == 0 ? null : counters(), time);
    }
    return new AttemptKilled(id, "commit denied", time);
  }

  /** An event that may no longer fit: replays of past events, or ones for a wrong attempt. */
  private JobEvent stale(BookJob job) {
    List<BookTask> tasks = new ArrayList<>(job.maps());
    tasks.addAll(job.reduces());
    if (tasks.isEmpty()) {
      return new JobSucceeded(job.id(), time);
    }
    BookTask t = tasks.get(random.nextInt(tasks.size()));
    TaskAttemptId id = new TaskAttemptId(job.id(), t.kind(), t.index(), 1 + random.nextInt(3));
    return switch (random.nextInt(4)) {
      case 0 -> new AttemptStarted(id, "w9", time);
      case 1 -> new CommitGranted(id, time);
      case 2 -> new TaskCommitted(id, counters(), time);
      default -> new AttemptKilled(id, "stale", time);
    };
  }

  private Counters counters() {
    Counters c = new Counters();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      c.increment(random.nextBoolean() ? "quern.task" : "user", "c" + random.nextInt(5),
          random.nextLong(1_000_000));
    }
    return c;
  }

  private String text() {
    return TEXT[random.nextInt(TEXT.length)];
  }

  /** The outcome of every event, applied in order to a fresh book. */
  static List<Outcome> outcomes(JobBook book, List<JobEvent> events) {
    return events.stream().map(book::apply).toList();
  }
}
