package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.TextInputFormat;
import dev.quern.testkit.Await;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.testjobs.WordCount;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Executor reuse across jobs: a job that ran cleanly hands its executor JVM (the warm spare it
 * bound) back to the pool, and the next jobs run in that same pid, their outputs right, up to
 * {@code reuse-jobs} jobs; a job that left a non-daemon thread, a daemon thread running its code
 * or a system property set, or whose attempt failed, has its JVM ended, and the next job runs
 * in a new one. The jobs' mappers are in a jar on no class path of the test or the executors.
 */
class ExecutorReuseTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String UPPER = """
      package reusejob;
      public class UpperMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
        public void map(Long k, String line, dev.quern.api.Context<String, Long> ctx) {
          for (String w : line.split(" ")) if (!w.isEmpty()) ctx.emit(w.toUpperCase(), 1L);
        }
      }
      """;
  /** Each leaves one thing behind when its class is initialised (once per job loader). */
  private static final String LEFTOVERS = """
      package reusejob;
      public class Leftovers {
        public static class Linger extends UpperMapper {
          static {
            Thread t = new Thread(Linger::park, "user-linger");
            t.setDaemon(false); // the attempt's thread is a daemon: its children would be too
            t.start();
          }
          static void park() {
            try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }
          }
        }
        public static class Daemon extends UpperMapper {
          static {
            Thread t = new Thread(Daemon::park, "user-daemon");
            t.setDaemon(true);
            t.start();
          }
          static void park() {
            try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }
          }
        }
        public static class Property extends UpperMapper {
          static {
            System.setProperty("reusejob.touched", "yes");
          }
        }
        public static class Stdout extends UpperMapper {
          static {
            System.setOut(new java.io.PrintStream(System.out, true));
          }
        }
        public static class Fail extends UpperMapper {
          public void map(Long k, String line, dev.quern.api.Context<String, Long> ctx) {
            throw new IllegalStateException("boom at " + k);
          }
        }
      }
      """;

  @TempDir static Path jarDir;
  private static Path jar;
  @TempDir Path tmp;
  private ExecutorPool pool;

  @BeforeAll
  static void buildJar() throws Exception {
    Path src = Files.createDirectories(jarDir.resolve("src/reusejob"));
    Files.writeString(src.resolve("UpperMapper.java"), UPPER);
    Files.writeString(src.resolve("Leftovers.java"), LEFTOVERS);
    Path classes = Files.createDirectories(jarDir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path"), src.resolve("UpperMapper.java").toString(),
        src.resolve("Leftovers.java").toString());
    assertThat(rc).as("javac exit code").isZero();
    jar = jarDir.resolve("job.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
  }

  private ExecutorPool pool(int reuseJobs) {
    pool = new ExecutorPool(new ExecutorSettings("w-reuse", ExecutorSettings.thisJava(),
        System.getProperty("java.class.path"),
        List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "128m", Duration.ofSeconds(2),
        tmp.resolve("executors"), "127.0.0.1:1", 2,
        dev.quern.worker.shuffle.http.ShuffleAccess.NONE, true, reuseJobs));
    return pool;
  }

  @AfterEach
  void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  private List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      lines.add("r" + (i % 31) + " y" + (i % 7) + " r" + (i % 17));
    }
    return lines;
  }

  /** A word count whose mapper is the jar's class {@code mapper}. */
  private JobSpec job(String name, String mapper) throws Exception {
    return job(name, mapper, null);
  }

  /** The same, of {@code user} (null: the builder's). */
  private JobSpec job(String name, String mapper, String user) throws Exception {
    Path in = Files.createDirectories(tmp.resolve(name + "-in"));
    Files.write(in.resolve("a.txt"), lines());
    JobSpec s = Job.builder(name).input(in.toString())
        .output(tmp.resolve(name + "-out").toString())
        .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    return new JobSpec(s.name(), user == null ? s.user() : user, jar.toString(), s.inputPaths(), s.outputPath(),
        s.inputFormat(), s.outputFormat(), mapper, s.combiner(), s.reducer(),
        s.partitioner(), s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(),
        s.outputKeyClass(), s.outputValueClass(), s.sortComparator(), s.groupingComparator(),
        s.config());
  }

  /** Runs the job's maps and reduce through the pool (as a worker does); the output counts. */
  private Map<String, Long> wordCount(JobSpec job, String jobId) throws Exception {
    ExecutorTaskRunner runner = new ExecutorTaskRunner(pool);
    List<InputSplit> splits = new TextInputFormat().splits(job.inputPaths(), job.configuration());
    Path work = Files.createDirectories(tmp.resolve(jobId + "-temporary"));
    List<MapOutputRef> outputs = new ArrayList<>();
    try (URLClassLoader loader = new URLClassLoader("job:" + jobId,
        new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      for (int i = 0; i < splits.size(); i++) {
        TaskAttemptId id = new TaskAttemptId(jobId, TaskKind.MAP, i, 1);
        TaskResult r = runner.run(new MapTaskSpec(id, job, splits.get(i),
            tmp.resolve("scratch").toString(), work.resolve(id.dirName()).toString()), loader,
            TaskProgress.NONE, null);
        outputs.add(r.mapOutput());
      }
      TaskAttemptId rid = new TaskAttemptId(jobId, TaskKind.REDUCE, 0, 1);
      Path out = work.resolve(rid.dirName());
      runner.run(new ReduceTaskSpec(rid, job, 0, outputs, tmp.resolve("scratch").toString(),
          out.toString()), loader, TaskProgress.NONE, null);
      Map<String, Long> counts = new TreeMap<>();
      try (Stream<Path> files = Files.walk(out)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          for (String line : Files.readAllLines(p)) {
            String[] kv = line.split("\t");
            counts.put(kv[0], Long.parseLong(kv[1]));
          }
        }
      }
      return counts;
    }
  }

  /** The counts the jar's mapper should give, computed here without the framework. */
  private Map<String, Long> expected() {
    Map<String, Long> counts = new TreeMap<>();
    for (String line : lines()) {
      for (String w : line.split(" ")) {
        counts.merge(w.toUpperCase(Locale.ROOT), 1L, Long::sum);
      }
    }
    return counts;
  }

  /** The pid of the executor the pool shows for {@code jobId} now. */
  private long pidOf(String jobId) {
    return pool.views().stream().filter(v -> v.jobId().equals(jobId)).findFirst()
        .orElseThrow(() -> new AssertionError("no executor of " + jobId + ": " + pool.views()))
        .pid();
  }

  private static boolean ended(long pid) {
    return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  @Test
  void cleanJobsRunInOneJvmUpToTheLimitAndTheNextGetsANewOne() throws Exception {
    pool(3);
    long jvm = pool.sparePid();
    assertThat(jvm).as("a spare is started with the pool").isPositive();
    for (int n = 1; n <= 3; n++) {
      String id = "job-000" + n;
      assertThat(wordCount(job("clean" + n, "reusejob.UpperMapper"), id)).isEqualTo(expected());
      assertThat(pidOf(id)).as("job %d ran in the first JVM", n).isEqualTo(jvm);
      pool.jobEnded(id);
      if (n < 3) {
        Await.until(WAIT, "JVM " + jvm + " back as the spare", () -> pool.sparePid() == jvm);
      }
    }
    // Its third job was its last (reuse-jobs 3): it ends and a new spare takes the next job.
    Await.until(WAIT, "JVM " + jvm + " ended after its third job", () -> ended(jvm));
    Await.until(WAIT, "a new spare", () -> pool.sparePid() > 0);
    long next = pool.sparePid();
    assertThat(next).isNotEqualTo(jvm);
    assertThat(wordCount(job("clean4", "reusejob.UpperMapper"), "job-0004"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0004")).isEqualTo(next);

    // Each job's directory names the JVM's stderr (one file: every job's lines are in it).
    String second = Files.readString(tmp.resolve("executors/job-0002/executor-1.stderr"));
    assertThat(second).contains("executor of job job-0001")
        .contains("executor of job job-0002 for worker w-reuse started (pid " + jvm
            + "; this JVM's job 2)")
        .contains("executor of job job-0001: the job ended cleanly");
    assertThat(tmp.resolve("executors/job-0001/executor-1.stderr")).exists();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "Linger, the job left the non-daemon thread 'user-linger' running",
    "Daemon, the job left the daemon thread 'user-daemon' running its code",
    "Property, the job set the system property reusejob.touched",
    "Stdout, the job replaced System.out"})
  void aJobThatLeftSomethingBehindEndsItsJvm(String mapper, String reason) throws Exception {
    pool(5);
    long jvm = pool.sparePid();
    assertThat(wordCount(job("dirty", "reusejob.Leftovers$" + mapper), "job-0011"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0011")).isEqualTo(jvm);
    pool.jobEnded("job-0011");
    Await.until(WAIT, "JVM " + jvm + " ended", () -> ended(jvm));
    assertThat(Files.readString(tmp.resolve("executors/job-0011/executor-1.stderr")))
        .contains("executor of job job-0011: serves no other job: " + reason);
    thenTheNextJobRunsInANewJvm(jvm);
  }

  @Test
  void aJobWhoseAttemptFailedEndsItsJvm() throws Exception {
    pool(5);
    long jvm = pool.sparePid();
    JobSpec failing = job("failing", "reusejob.Leftovers$Fail");
    ExecutorTaskRunner runner = new ExecutorTaskRunner(pool);
    InputSplit split = new TextInputFormat().splits(failing.inputPaths(),
        failing.configuration()).get(0);
    TaskAttemptId id = new TaskAttemptId("job-0021", TaskKind.MAP, 0, 1);
    try (URLClassLoader loader = new URLClassLoader("job:job-0021",
        new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      assertThatThrownBy(() -> runner.run(new MapTaskSpec(id, failing, split,
          tmp.resolve("scratch").toString(), tmp.resolve("fail-work").toString()), loader,
          TaskProgress.NONE, null)).hasMessageContaining("boom at 0");
    }
    assertThat(pidOf("job-0021")).isEqualTo(jvm);
    pool.jobEnded("job-0021");
    Await.until(WAIT, "JVM " + jvm + " ended", () -> ended(jvm));
    assertThat(Files.readString(tmp.resolve("executors/job-0021/executor-1.stderr")))
        .contains("serves no other job: attempt " + id + " failed in it");
    thenTheNextJobRunsInANewJvm(jvm);
  }

  @Test
  void aReleasedJvmServesOnlyJobsOfItsUser() throws Exception {
    pool(5);
    long jvm = pool.sparePid();
    assertThat(wordCount(job("alice1", "reusejob.UpperMapper", "alice"), "job-0041"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0041")).isEqualTo(jvm);
    pool.jobEnded("job-0041");
    Await.until(WAIT, "JVM " + jvm + " back as the spare", () -> pool.sparePid() == jvm);
    assertThat(wordCount(job("bob", "reusejob.UpperMapper", "bob"), "job-0042"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0042")).as("another user's job starts its own JVM").isNotEqualTo(jvm);
    assertThat(pool.sparePid()).as("alice's JVM waits").isEqualTo(jvm);
    pool.jobEnded("job-0042");
    assertThat(wordCount(job("alice2", "reusejob.UpperMapper", "alice"), "job-0043"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0043")).isEqualTo(jvm);
  }

  @Test
  void withReuseJobsOneEveryJobEndsItsJvm() throws Exception {
    pool(1);
    long jvm = pool.sparePid();
    assertThat(wordCount(job("once", "reusejob.UpperMapper"), "job-0031")).isEqualTo(expected());
    assertThat(pidOf("job-0031")).isEqualTo(jvm);
    pool.jobEnded("job-0031");
    Await.until(WAIT, "JVM " + jvm + " ended", () -> ended(jvm));
    thenTheNextJobRunsInANewJvm(jvm);
  }

  private void thenTheNextJobRunsInANewJvm(long old) throws Exception {
    Await.until(WAIT, "a new spare", () -> pool.sparePid() > 0 && pool.sparePid() != old);
    long next = pool.sparePid();
    assertThat(wordCount(job("after", "reusejob.UpperMapper"), "job-0099"))
        .isEqualTo(expected());
    assertThat(pidOf("job-0099")).isEqualTo(next).isNotEqualTo(old);
  }
}
