package dev.quern.api.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled committers through their whole protocol, on a local disk and on an object store
 * whose directory rename is a file-by-file copy ({@link ObjectStore}).
 */
class OutputCommittersTest {
  private static final Configuration CONF = Configuration.empty();
  @TempDir Path tmp;

  @BeforeEach
  @AfterEach
  void clearStore() {
    ObjectStore.OBJECTS.clear();
    ObjectStore.crashAfterCopies = -1;
  }

  private String out(String where) {
    return where.equals("local") ? tmp.resolve("out").toString() : "obj://bucket/out";
  }

  private static TaskCommitContext task(String out, String task, int attempt) {
    return new TaskCommitContext("job-1", out, task,
        OutputPaths.join(OutputPaths.temporaryDir(out), task + "_" + attempt), CONF);
  }

  private static void write(FileSystem fs, String path, String text) throws IOException {
    try (OutputStream o = fs.create(path)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Every file under {@code dir} (relative name to content), directories walked. */
  private static Map<String, String> tree(FileSystem fs, String dir) throws IOException {
    Map<String, String> got = new TreeMap<>();
    walk(fs, dir, "", got);
    return got;
  }

  private static void walk(FileSystem fs, String dir, String prefix, Map<String, String> got)
      throws IOException {
    for (FileStatus s : fs.list(dir)) {
      if (s.directory()) {
        walk(fs, s.path(), prefix + s.name() + "/", got);
      } else {
        try (InputStream in = fs.open(s.path(), 0)) {
          got.put(prefix + s.name(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "obj"})
  void manifestCommitterPromotesExactlyTheGrantedAttemptsWithoutRenamingADirectory(String where)
      throws Exception {
    String out = out(where);
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = OutputCommitters.forJob(
        Configuration.of(Map.of(OutputCommitters.KEY, "manifest")));
    JobCommitContext job = new JobCommitContext("job-1", out, CONF);
    c.setupJob(job);
    // Any directory rename on the store now fails: the protocol must not need one.
    ObjectStore.crashAfterCopies = 0;

    TaskCommitContext winner = task(out, "r-00000", 1);
    TaskCommitContext loser = task(out, "r-00000", 2);
    TaskCommitContext other = task(out, "r-00001", 1);
    for (TaskCommitContext t : new TaskCommitContext[] {winner, loser, other}) {
      c.setupTask(t);
    }
    write(fs, winner.workDir() + "/part-r-00000", "winner\n");
    write(fs, winner.workDir() + "/side/extra", "nested\n");
    write(fs, loser.workDir() + "/part-r-00000", "loser\n");
    write(fs, loser.workDir() + "/only-loser", "x\n");
    write(fs, other.workDir() + "/part-r-00001", "other\n");

    assertThat(c.needsTaskCommit(winner)).isTrue();
    c.commitTask(winner);
    c.abortTask(loser);
    c.commitTask(other);
    c.commitJob(job);
    c.commitJob(job); // again, as a new master does after a crash: nothing changes

    assertThat(tree(fs, out)).isEqualTo(Map.of("part-r-00000", "winner\n",
        "side/extra", "nested\n", "part-r-00001", "other\n"));
  }

  /**
   * Attempt 1 of m-00000 held the grant and was declared lost; attempt 2 was granted and
   * committed, and the book recorded it. Attempt 1 was not dead: it commits too, before attempt 2
   * ("before") or after it (a zombie, "after"). Only attempt 2's files reach OUT.
   */
  @ParameterizedTest
  @CsvSource({"rename,local,before", "rename,local,after", "manifest,local,before",
      "manifest,local,after", "manifest,obj,before", "manifest,obj,after"})
  void theJobCommitPromotesTheAttemptOfRecordNeverALostOne(String name, String where,
      String lostCommits) throws Exception {
    String out = out(where);
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = OutputCommitters.forJob(
        Configuration.of(Map.of(OutputCommitters.KEY, name)));
    c.setupJob(new JobCommitContext("job-1", out, CONF));
    TaskCommitContext lost = task(out, "m-00000", 1);
    TaskCommitContext next = task(out, "m-00000", 2);
    TaskCommitContext other = task(out, "m-00001", 1);
    c.setupTask(lost);
    c.setupTask(next);
    c.setupTask(other);
    write(fs, lost.workDir() + "/part-m-00000", "lost\n");
    write(fs, lost.workDir() + "/part-m-00000.extra", "lost\n");
    write(fs, next.workDir() + "/part-m-00000", "next\n");
    write(fs, other.workDir() + "/part-m-00001", "other\n");
    if (lostCommits.equals("before")) {
      c.commitTask(lost);
    }
    c.commitTask(next);
    c.commitTask(other);
    if (lostCommits.equals("after")) {
      c.commitTask(lost);
    }
    assertThat(next.attemptName()).isEqualTo("m-00000_2");
    JobCommitContext job = new JobCommitContext("job-1", out, CONF,
        Map.of("m-00000", next.attemptName(), "m-00001", other.attemptName()));
    c.commitJob(job);
    c.commitJob(job); // again, as a new master does after a crash: nothing changes
    assertThat(tree(fs, out)).isEqualTo(Map.of("part-m-00000", "next\n",
        "part-m-00001", "other\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void withoutTheBookTwoCommittedAttemptsOfOneTaskFailTheCommit(String name) throws Exception {
    // A caller that names no attempts gets every committed one; it cannot choose between two.
    String out = out("local");
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = OutputCommitters.forJob(
        Configuration.of(Map.of(OutputCommitters.KEY, name)));
    JobCommitContext job = new JobCommitContext("job-1", out, CONF);
    c.setupJob(job);
    for (int attempt = 1; attempt <= 2; attempt++) {
      TaskCommitContext t = task(out, "r-00000", attempt);
      c.setupTask(t);
      write(fs, t.workDir() + "/part-r-00000", "attempt " + attempt);
      c.commitTask(t);
    }
    assertThatThrownBy(() -> c.commitJob(job)).hasMessageContaining("two tasks wrote "
        + OutputPaths.join(out, "part-r-00000"));
    assertThat(fs.exists(OutputPaths.join(out, "part-r-00000"))).isFalse();
  }

  @Test
  void aJobCommitCutOffHalfwayFinishesWhenRunAgain() throws Exception {
    String out = out("obj");
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = new ManifestOutputCommitter();
    JobCommitContext job = new JobCommitContext("job-1", out, CONF);
    c.setupJob(job);
    TaskCommitContext t = task(out, "r-00000", 1);
    c.setupTask(t);
    write(fs, t.workDir() + "/a", "1\n");
    write(fs, t.workDir() + "/b", "22\n");
    c.commitTask(t);
    // The first run moved "a" and died.
    fs.rename(t.workDir() + "/a", out + "/a");
    c.commitJob(job);
    assertThat(tree(fs, out)).isEqualTo(Map.of("a", "1\n", "b", "22\n"));
  }

  @Test
  void aTornManifestFailsTheJobCommitNamingIt() throws Exception {
    String out = out("obj");
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = new ManifestOutputCommitter();
    JobCommitContext job = new JobCommitContext("job-1", out, CONF);
    c.setupJob(job);
    TaskCommitContext good = task(out, "r-00000", 1);
    c.setupTask(good);
    write(fs, good.workDir() + "/part-r-00000", "good\n");
    c.commitTask(good);
    String manifest = OutputPaths.committedRoot(out) + "/r-00001_1.manifest";
    write(fs, manifest, "quern-manifest 1\n" + out + "/_temporary/r-00001_1\n5\tpart-r-00001\n");

    assertThatThrownBy(() -> c.commitJob(job)).hasMessageContaining(manifest)
        .hasMessageContaining("damaged");
    c.abortJob(job);
    assertThat(fs.exists(out)).as("the job created OUT, its abort removes it").isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rename", "manifest"})
  void twoTasksWritingOneNameFailTheCommitAndLeaveNoPartFile(String name) throws Exception {
    String out = out("local");
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = OutputCommitters.forJob(
        Configuration.of(Map.of(OutputCommitters.KEY, name)));
    JobCommitContext job = new JobCommitContext("job-1", out, CONF);
    c.setupJob(job);
    for (String task : new String[] {"m-00000", "m-00001"}) {
      TaskCommitContext t = task(out, task, 1);
      c.setupTask(t);
      write(fs, t.workDir() + "/part", task);
      c.commitTask(t);
    }
    assertThatThrownBy(() -> c.commitJob(job)).hasMessageContaining("two tasks wrote "
        + OutputPaths.join(out, "part"));
    assertThat(fs.exists(OutputPaths.join(out, "part"))).isFalse();
  }

  @Test
  void theRenameCommitterOnAnObjectStoreCanLeaveHalfATaskCommitted() throws Exception {
    // Why GUIDE.md sends object stores to the manifest committer: a task commit cut off in the
    // middle of its directory "rename" leaves part of the attempt's files as committed output.
    String out = out("obj");
    FileSystem fs = FileSystems.get(out, CONF);
    OutputCommitter c = OutputCommitters.rename();
    c.setupJob(new JobCommitContext("job-1", out, CONF));
    TaskCommitContext t = task(out, "r-00000", 1);
    c.setupTask(t);
    for (String f : new String[] {"a", "b", "c"}) {
      write(fs, t.workDir() + "/" + f, f);
    }
    ObjectStore.crashAfterCopies = 2; // the directory marker and one file
    assertThatThrownBy(() -> c.commitTask(t)).hasMessageContaining("crashed");
    assertThat(tree(fs, OutputPaths.committedRoot(out))).isEqualTo(Map.of("r-00000_1/a", "a"));
  }

  @Test
  void theKeyNamesTheCommitterAndABadValueFailsNamingIt() {
    assertThat(OutputCommitters.forJob(CONF)).isInstanceOf(RenameOutputCommitter.class);
    assertThat(OutputCommitters.forJob(Configuration.of(Map.of(OutputCommitters.KEY,
        ManifestOutputCommitter.class.getName())))).isInstanceOf(ManifestOutputCommitter.class);
    assertThatThrownBy(() -> OutputCommitters.forJob(Configuration.of(Map.of(
        OutputCommitters.KEY, "s3-magic")))).hasMessageContaining(OutputCommitters.KEY)
        .hasMessageContaining("'s3-magic'");
    assertThatThrownBy(() -> OutputCommitters.forJob(Configuration.of(Map.of(
        OutputCommitters.KEY, String.class.getName())))).hasMessageContaining(
        "does not implement");
  }
}
