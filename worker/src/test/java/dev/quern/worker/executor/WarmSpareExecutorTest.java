package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The warm spare executor: the first job of the default heap runs in the JVM that was started
 * before it (its mapper, which exists only in the job's jar, loaded by a class loader inside that
 * JVM), the next spare starts when the job ends and goes to the next job, never the first job's
 * JVM; a job of another heap starts a JVM of its own and leaves the spare waiting.
 */
class WarmSpareExecutorTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String MAPPER = """
      package sparejob;
      public class UpperMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
        public void map(Long k, String line, dev.quern.api.Context<String, Long> ctx) {
          for (String w : line.split(" ")) if (!w.isEmpty()) ctx.emit(w.toUpperCase(), 1L);
        }
      }
      """;

  @TempDir static Path jarDir;
  private static Path jar;
  @TempDir Path tmp;
  private ExecutorPool pool;

  /** A jar holding a mapper that is on no class path of the test or the executors. */
  @BeforeAll
  static void buildJar() throws Exception {
    Path src = Files.createDirectories(jarDir.resolve("src/sparejob"));
    Files.writeString(src.resolve("UpperMapper.java"), MAPPER);
    Path classes = Files.createDirectories(jarDir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path"), src.resolve("UpperMapper.java").toString());
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

  private ExecutorPool pool(boolean warmSpare) {
    pool = new ExecutorPool(new ExecutorSettings("w-spare", ExecutorSettings.thisJava(),
        System.getProperty("java.class.path"),
        List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "128m", Duration.ofSeconds(2),
        tmp.resolve("executors"), "127.0.0.1:1", 2, warmSpare));
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
    for (int i = 0; i < 1500; i++) {
      lines.add("w" + (i % 29) + " x" + (i % 3) + " w" + (i % 13));
    }
    return lines;
  }

  /** A word count whose mapper is the jar's (upper-casing), with {@code conf} set. */
  private JobSpec job(String name, Map<String, String> conf) throws Exception {
    Path in = Files.createDirectories(tmp.resolve(name + "-in"));
    Files.write(in.resolve("a.txt"), lines());
    Job.Builder b = Job.builder(name).input(in.toString())
        .output(tmp.resolve(name + "-out").toString())
        .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(1);
    conf.forEach(b::set);
    JobSpec s = b.build().spec();
    return new JobSpec(s.name(), s.user(), jar.toString(), s.inputPaths(), s.outputPath(),
        s.inputFormat(), s.outputFormat(), "sparejob.UpperMapper", s.combiner(), s.reducer(),
        s.partitioner(), s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(),
        s.outputKeyClass(), s.outputValueClass(), s.sortComparator(), s.groupingComparator(),
        s.config());
  }

  /** The worker's loader of {@code jobId}'s jar, as its JarLoaders makes it. */
  private URLClassLoader loader(String jobId) throws Exception {
    return new URLClassLoader("job:" + jobId, new URL[] {jar.toUri().toURL()},
        getClass().getClassLoader());
  }

  /** Runs the job's maps and its reduce through {@code pool}; the reduce's output counts. */
  private Map<String, Long> wordCount(JobSpec job, String jobId) throws Exception {
    ExecutorTaskRunner runner = new ExecutorTaskRunner(pool);
    List<InputSplit> splits = new TextInputFormat().splits(job.inputPaths(), job.configuration());
    Path work = Files.createDirectories(tmp.resolve(jobId + "-temporary"));
    List<MapOutputRef> outputs = new ArrayList<>();
    try (URLClassLoader loader = loader(jobId)) {
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

  private static void awaitEnd(long pid) {
    Await.until(WAIT, "JVM " + pid + " ended", () -> ProcessHandle.of(pid)
        .map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void theFirstJobBindsTheSpareAndTheNextSpareGoesToTheNextJob() throws Exception {
    pool(true);
    long spare = pool.sparePid();
    assertThat(spare).as("a spare is started with the pool").isPositive();

    assertThat(wordCount(job("a", Map.of()), "job-0001")).isEqualTo(expected());
    assertThat(pool.views()).singleElement().satisfies(v -> {
      assertThat(v.jobId()).isEqualTo("job-0001");
      assertThat(v.pid()).as("the job runs in the spare").isEqualTo(spare);
    });
    assertThat(pool.started()).isEqualTo(1);
    assertThat(pool.sparePid()).as("no new spare while the job runs").isEqualTo(-1);
    assertThat(Files.readString(tmp.resolve("executors/job-0001/executor-1.stderr")))
        .as("the spare's stderr moved to the job's directory")
        .contains("executor of job job-0001");

    pool.jobEnded("job-0001");
    awaitEnd(spare);
    Await.until(WAIT, "a new spare", () -> pool.sparePid() > 0);
    long next = pool.sparePid();
    assertThat(next).isNotEqualTo(spare);

    assertThat(wordCount(job("b", Map.of()), "job-0002")).isEqualTo(expected());
    assertThat(pool.views()).singleElement().satisfies(v -> {
      assertThat(v.jobId()).isEqualTo("job-0002");
      assertThat(v.pid()).isEqualTo(next);
    });
    assertThat(pool.started()).isEqualTo(2);
  }

  @Test
  void aJobOfAnotherHeapStartsItsOwnJvmAndTheSpareWaitsForTheNext() throws Exception {
    pool(true);
    long spare = pool.sparePid();
    assertThat(spare).isPositive();

    assertThat(wordCount(job("big", Map.of(ExecutorKeys.MEMORY, "96m")), "job-0003"))
        .isEqualTo(expected());
    assertThat(pool.views()).singleElement().satisfies(v -> {
      assertThat(v.memory()).isEqualTo("96m");
      assertThat(v.pid()).isNotEqualTo(spare);
    });
    assertThat(pool.sparePid()).isEqualTo(spare);

    assertThat(wordCount(job("small", Map.of()), "job-0004")).isEqualTo(expected());
    assertThat(pool.views()).filteredOn(v -> v.jobId().equals("job-0004"))
        .singleElement().satisfies(v -> assertThat(v.pid()).isEqualTo(spare));
  }

  @Test
  void withoutTheSpareEachJobStartsItsOwnJvm() throws Exception {
    pool(false);
    assertThat(pool.sparePid()).isEqualTo(-1);
    assertThat(wordCount(job("cold", Map.of()), "job-0005")).isEqualTo(expected());
    assertThat(pool.views()).hasSize(1);
    pool.jobEnded("job-0005");
    assertThat(pool.sparePid()).isEqualTo(-1);
  }

  @Test
  void aSpareEndsWithThePoolAndLeavesNoFile() throws Exception {
    pool(true);
    long spare = pool.sparePid();
    assertThat(spare).isPositive();
    pool.close();
    awaitEnd(spare);
    try (Stream<Path> files = Files.list(tmp.resolve("executors").resolve(
        ExecutorPool.SPARES_DIR))) {
      assertThat(files.toList()).isEmpty();
    }
  }
}
