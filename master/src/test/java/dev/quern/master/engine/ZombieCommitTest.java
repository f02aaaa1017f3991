package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.commit.TaskCommitContext;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.engine.Effect.AnswerCommit;
import dev.quern.master.engine.Effect.CommitJob;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A grant holder declared lost that was not dead (a zombie) commits its output anyway; the
 * scheduler's job commit names the attempt the book records as committed, and only that
 * attempt's files reach OUT, for reduces and for the maps of a map-only job, with either bundled
 * committer, and again when a new leader takes the COMMITTING job over.
 */
class ZombieCommitTest {
  private static final String JOB = "job-0001";
  private static final List<InputSplit> SPLITS = List.of(
      new FileSplit("/in/a", 0, 10, List.of()),
      new FileSplit("/in/b", 0, 30, List.of()),
      new FileSplit("/in/c", 0, 20, List.of()));

  @TempDir Path tmp;
  private final JobJournal journal = new JobJournal();
  private final Scheduler scheduler = new Scheduler(new JobBook(), Path.of("/scratch"), journal);
  private long now = 1;
  private int workers;

  private void addWorker() {
    String id = "w" + workers++;
    scheduler.report(new WorkerReport.Register(id, "host-" + id, 1, null), now++);
  }

  private static String content(TaskAttemptId a) {
    return "written by " + a + "\n";
  }

  /**
   * @param reduces 1 (reduce 0 writes the output) or 0 (each map writes its part)
   * @param zombieCommits "before": the lost holder renames before the next attempt is granted;
   *     "after": after the book recorded the next attempt's TaskCommitted
   */
  @ParameterizedTest
  @CsvSource({"rename,1,after", "rename,1,before", "rename,0,after", "manifest,1,after",
      "manifest,0,before"})
  void onlyTheAttemptOfRecordIsPromoted(String committerName, int reduces, String zombieCommits)
      throws Exception {
    Path out = tmp.resolve("out");
    JobSpec spec = Job.builder("z").input("/in").output(out.toString())
        .mapper(JobBookTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(reduces).set(OutputCommitters.KEY, committerName).build().spec();
    OutputCommitter committer = OutputCommitters.forJob(spec.configuration());
    JobCommitter.setupJob(spec);
    addWorker();
    addWorker();
    assertThat(scheduler.submit(spec, SPLITS, BookSplit.ofAll(SPLITS, null), null, now++))
        .isEqualTo(new Outcome.Applied(JOB));
    TaskKind writers = reduces > 0 ? TaskKind.REDUCE : TaskKind.MAP;
    String zombieTask = TaskAttemptId.name(writers, reduces > 0 ? 0 : 1);

    TaskCommitContext zombie = null;
    CommitJob commit = null;
    Deque<Effect> queue = new ArrayDeque<>(scheduler.drainEffects());
    while (!queue.isEmpty()) {
      Effect e = queue.poll();
      if (e instanceof CommitJob c) {
        commit = c;
      }
      if (!(e instanceof RunTask r)) {
        continue;
      }
      TaskAttemptId id = r.spec().id();
      if (id.kind() != writers) {
        succeed(id, r.workerId(), new MapOutputRef(id.taskIndex(), id, "host", "/d", "/i"));
        queue.addAll(scheduler.drainEffects());
        continue;
      }
      TaskCommitContext task = new TaskCommitContext(JOB, out.toString(), id.taskName(),
          r.spec().outputWorkDir(), spec.configuration());
      assertThat(task.attemptName()).isEqualTo(id.dirName());
      committer.setupTask(task);
      boolean isZombie = id.taskName().equals(zombieTask) && id.attempt() == 1;
      Path work = Path.of(task.workDir());
      Files.writeString(work.resolve("part-" + id.taskName()),
          isZombie ? "zombie\n" : content(id));
      if (isZombie) {
        Files.writeString(work.resolve("only-in-the-zombie"), "z\n");
      }
      WorkerReport.CanCommit ask = new WorkerReport.CanCommit(id, null);
      scheduler.report(ask, now++);
      for (Effect after : scheduler.drainEffects()) {
        if (after instanceof AnswerCommit a) {
          assertThat(a.answer().granted()).as("grant of %s", id).isTrue();
        } else {
          queue.add(after);
        }
      }
      if (isZombie) {
        zombie = task;
        scheduler.workerGone(r.workerId(), now++); // declared lost; it still runs
        if (zombieCommits.equals("before")) {
          committer.commitTask(zombie);
        }
        addWorker();
      } else {
        committer.commitTask(task);
        succeed(id, r.workerId(), null);
      }
      queue.addAll(scheduler.drainEffects());
    }
    assertThat(commit).as("the job commit was started").isNotNull();
    assertThat(zombie).as("the zombie ran").isNotNull();
    if (zombieCommits.equals("after")) {
      committer.commitTask(zombie); // after TaskCommitted of the next attempt
    }

    // The attempts of record, computed from what the test did: attempt 1 of every task but the
    // zombie's, whose second attempt committed.
    Map<String, String> ofRecord = new TreeMap<>();
    Map<String, String> expected = new TreeMap<>();
    int tasks = reduces > 0 ? reduces : SPLITS.size();
    for (int i = 0; i < tasks; i++) {
      String name = TaskAttemptId.name(writers, i);
      TaskAttemptId a = new TaskAttemptId(JOB, writers, i, name.equals(zombieTask) ? 2 : 1);
      ofRecord.put(name, a.dirName());
      expected.put("part-" + name, content(a));
    }
    assertThat(commit.committedAttempts()).isEqualTo(ofRecord);
    assertThat(Path.of(OutputLayout.temporaryDir(out.toString()))).exists();

    // A new leader takes the COMMITTING job over: its job commit names the same attempts.
    Scheduler next = new Scheduler(journal.replay(), Path.of("/scratch"), new JobJournal());
    next.takeOver(now++);
    CommitJob again = next.drainEffects().stream().filter(x -> x instanceof CommitJob)
        .map(x -> (CommitJob) x).findFirst().orElseThrow();
    assertThat(again.committedAttempts()).isEqualTo(ofRecord);

    JobCommitter.commitJob(commit.jobId(), commit.outputPath(), spec,
        commit.committedAttempts(), commit.success());
    JobCommitter.commitJob(again.jobId(), again.outputPath(), spec,
        again.committedAttempts(), again.success());
    scheduler.commitFinished(JOB, now, null, now++);
    assertThat(scheduler.book().job(JOB).state()).isEqualTo(JobState.SUCCEEDED);

    Map<String, String> got = tree(out);
    assertThat(got.remove(OutputPaths.SUCCESS)).isNotNull();
    assertThat(got).isEqualTo(expected);
  }

  private void succeed(TaskAttemptId a, String worker, MapOutputRef output) {
    Counters c = new Counters();
    c.increment(TaskCounter.MAP_INPUT_RECORDS, 1);
    scheduler.report(new WorkerReport.AttemptSucceeded(a, worker, new TaskResult(a, c, output)),
        now++);
  }

  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> got = new HashMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        got.put(dir.relativize(p).toString(), Files.readString(p));
      }
    }
    return got;
  }
}
