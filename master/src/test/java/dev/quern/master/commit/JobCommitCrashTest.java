package dev.quern.master.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.commit.JobCommitContext;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.commit.TaskCommitContext;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job commit as the engine runs it ({@link JobCommitter#commitJob(String, String, JobSpec,
 * Map, SuccessFile)}, with the attempts the book records as committed), for both bundled
 * committers: a zombie attempt that committed after the attempt of record is never promoted, and a
 * master that dies at any change of the job commit, then again at the same change of the rerun,
 * leaves, after one more run, exactly the committed attempts' files and one {@code _SUCCESS}.
 */
class JobCommitCrashTest {
  private static final String JOB = "job-0007";
  private static final SuccessFile SUCCESS =
      new SuccessFile(JOB, "j", "u", 1, 2, 3, Map.of("g", Map.of("n", 4L)));
  /** Task to the attempt the book records as committed. */
  private static final Map<String, String> OF_RECORD =
      Map.of("r-00000", "r-00000_2", "r-00001", "r-00001_1");
  /** What OUT must hold: the attempts of record's files, written below, nothing else. */
  private static final Map<String, String> EXPECTED = Map.of(
      "part-r-00000", "winner 0\n",
      "part-r-00001", "winner 1\n",
      "side/r-00001", "nested\n");

  @TempDir Path tmp;

  /** Only the spec's committer and configuration matter to the job commit. */
  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long key, String value, Context<String, Long> ctx) {}
  }

  @AfterEach
  void revive() {
    CrashingFileSystem.revive();
  }

  private static JobSpec spec(String committer, String out) {
    return Job.builder("j").input("/in").output(out).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(2)
        .set(OutputCommitters.KEY, committer).build().spec();
  }

  private static TaskCommitContext task(String out, String task, int attempt) {
    return new TaskCommitContext(JOB, out, task,
        OutputPaths.join(OutputPaths.temporaryDir(out), task + "_" + attempt), spec("rename", out)
            .configuration());
  }

  private static void write(FileSystem fs, String path, String text) throws IOException {
    try (OutputStream o = fs.create(path)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Runs the tasks' side: reduce 0's attempt 1 is granted, declared lost, attempt 2 is granted and
   * commits (the book's TaskCommitted), then attempt 1 wakes up and commits too; reduce 1's
   * attempt 1 commits, its attempt 2 was denied and its worker died before it cleaned up.
   */
  private static void runTasks(OutputCommitter c, String out) throws IOException {
    FileSystem fs = FileSystems.get(out, spec("rename", out).configuration());
    c.setupJob(new JobCommitContext(JOB, out, spec("rename", out).configuration()));
    TaskCommitContext zombie = task(out, "r-00000", 1);
    TaskCommitContext winner = task(out, "r-00000", 2);
    TaskCommitContext other = task(out, "r-00001", 1);
    TaskCommitContext denied = task(out, "r-00001", 2);
    for (TaskCommitContext t : new TaskCommitContext[] {zombie, winner, other, denied}) {
      c.setupTask(t);
    }
    write(fs, zombie.workDir() + "/part-r-00000", "zombie\n");
    write(fs, zombie.workDir() + "/only-the-zombie", "z\n");
    write(fs, winner.workDir() + "/part-r-00000", "winner 0\n");
    write(fs, other.workDir() + "/part-r-00001", "winner 1\n");
    write(fs, other.workDir() + "/side/r-00001", "nested\n");
    write(fs, denied.workDir() + "/part-r-00001", "denied\n");
    c.commitTask(winner);
    c.commitTask(other);
    c.commitTask(zombie); // after the book recorded attempt 2: must change nothing
  }

  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> got = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        got.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
      }
    }
    return got;
  }

  private static void assertCommitted(Path out) throws IOException {
    Map<String, String> got = tree(out);
    assertThat(got.remove(OutputPaths.SUCCESS)).isNotNull();
    assertThat(got).isEqualTo(EXPECTED);
    assertThat(JobCommitter.readSuccess(out.resolve(OutputPaths.SUCCESS))).isEqualTo(SUCCESS);
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(OutputPaths.SUCCESS, "part-r-00000", "part-r-00001", "side");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void aZombieThatCommitsAfterTheAttemptOfRecordIsNeverPromoted(String committer)
      throws Exception {
    Path out = tmp.resolve("out");
    JobSpec spec = spec(committer, out.toString());
    runTasks(OutputCommitters.forJob(spec.configuration()), out.toString());
    JobCommitter.commitJob(JOB, out.toString(), spec, OF_RECORD, SUCCESS);
    assertCommitted(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void aCommittedAttemptWhoseOutputIsMissingFailsTheCommitNamingItAndMovesNothing(
      String committer) throws Exception {
    Path out = tmp.resolve("out");
    JobSpec spec = spec(committer, out.toString());
    runTasks(OutputCommitters.forJob(spec.configuration()), out.toString());
    Map<String, String> wrong = Map.of("r-00000", "r-00000_2", "r-00001", "r-00001_3");
    assertThatThrownBy(() -> JobCommitter.commitJob(JOB, out.toString(), spec, wrong, SUCCESS))
        .hasMessageContaining("task r-00001 committed attempt r-00001_3")
        .hasMessageContaining(OutputPaths.committedDir(out.toString(), "r-00001_3"));
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .containsExactly(OutputPaths.TEMPORARY);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void aMasterThatDiesAtAnyChangeOfTheJobCommitLeavesTheSameOutputAfterARerun(String committer)
      throws Exception {
    int deaths = 0;
    for (int n = 0; ; n++) {
      Path local = tmp.resolve("out-" + n);
      String out = CrashingFileSystem.of(local);
      JobSpec spec = spec(committer, out);
      CrashingFileSystem.revive();
      runTasks(OutputCommitters.forJob(spec.configuration()), out);

      CrashingFileSystem.dieAt(n);
      try {
        JobCommitter.commitJob(JOB, out, spec, OF_RECORD, SUCCESS);
      } catch (IOException e) {
        assertThat(CrashingFileSystem.died()).as("change %d: %s", n, e).isTrue();
      }
      if (!CrashingFileSystem.died()) {
        assertCommitted(local); // n is past the last change: the first run did it all
        break;
      }
      deaths++;
      // The next leader dies at the same change of its own run, then a third one finishes.
      CrashingFileSystem.dieAt(n);
      try {
        JobCommitter.commitJob(JOB, out, spec, OF_RECORD, SUCCESS);
      } catch (IOException e) {
        assertThat(CrashingFileSystem.died()).as("rerun, change %d: %s", n, e).isTrue();
      }
      CrashingFileSystem.revive();
      JobCommitter.commitJob(JOB, out, spec, OF_RECORD, SUCCESS);
      assertCommitted(local);
    }
    // promote 3-4 entries, the mark, a recursive delete of _temporary, the mark, _SUCCESS
    assertThat(deaths).as("changes in one job commit").isGreaterThan(15);
  }
  /**
   * A leader that loses its leadership mid-commit stops its commit thread by interrupting it: the
   * commit makes no change after that but removing what lies under {@code _temporary} (it never
   * moves another file, writes the mark or {@code _SUCCESS}, or takes back what it moved, any of
   * which would race the new leader's run), and the new leader's rerun leaves the exact output.
   */
  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void aCommitInterruptedAtAnyChangeStopsThereAndTheNextLeaderFinishesIt(String committer)
      throws Exception {
    int stops = 0;
    for (int n = 0; ; n++) {
      Path local = tmp.resolve("out-" + n);
      String out = CrashingFileSystem.of(local);
      String temporary = local.resolve(OutputPaths.TEMPORARY) + "/";
      JobSpec spec = spec(committer, out);
      CrashingFileSystem.revive();
      runTasks(OutputCommitters.forJob(spec.configuration()), out);

      CrashingFileSystem.interruptAt(n);
      try {
        JobCommitter.commitJob(JOB, out, spec, OF_RECORD, SUCCESS);
      } catch (java.io.InterruptedIOException e) {
        assertThat(e).hasMessageContaining(JOB);
      } finally {
        Thread.interrupted();
      }
      List<String> after = CrashingFileSystem.changesAfterInterrupt();
      if (after == null) {
        assertCommitted(local); // n is past the last change
        break;
      }
      stops++;
      assertThat(after).as("changes after an interruption at change %d", n)
          .allMatch(c -> c.startsWith("delete " + temporary)
              || c.equals("delete " + local.resolve(OutputPaths.TEMPORARY)));
      CrashingFileSystem.revive();
      JobCommitter.commitJob(JOB, out, spec, OF_RECORD, SUCCESS);
      assertCommitted(local);
    }
    assertThat(stops).as("changes in one job commit").isGreaterThan(15);
  }
}
