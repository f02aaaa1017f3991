package dev.quern.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.testjobs.LocalJobRun;
import dev.quern.worker.testjobs.TestJobs;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeds.class)
class RunnerBehaviourTest {
  @TempDir Path tmp;

  private Path input(String name, List<String> lines) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    return Files.write(dir.resolve(name), lines);
  }

  @Test
  void groupingComparatorGivesSecondarySort(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<String> lines = new ArrayList<>();
    Map<String, List<Long>> expected = new TreeMap<>();
    for (int i = 0; i < 3000; i++) {
      String user = "u" + rnd.nextInt(40);
      long seq = rnd.nextInt(1_000_000);
      // Zero-padded so that byte order of the composite key orders by seq within a user.
      lines.add(user + "," + String.format("%07d", seq));
      expected.computeIfAbsent(user, u -> new ArrayList<>()).add(seq);
    }
    expected.values().forEach(Collections::sort);
    input("events.csv", lines);
    JobSpec job = Job.builder("secondary").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.CompositeKeyMapper.class)
        .reducer(TestJobs.ListReducer.class).mapOutput(String.class, Long.class)
        .output(String.class, String.class).groupingComparator(TestJobs.UserGrouping.class)
        .reduceTasks(1).set(DataPathConfig.SORT_BUFFER_SIZE, "16k")
        .set("quern.input.split-size", "8k").build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();

    Map<String, List<Long>> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t");
      List<Long> vs = new ArrayList<>();
      for (String v : kv[1].split(",")) {
        vs.add(Long.parseLong(v));
      }
      assertThat(actual.put(kv[0], vs)).as("user %s appears twice", kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_GROUPS))
        .isEqualTo(expected.size());
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(classes = {TestJobs.DescendingRaw.class,
      TestJobs.DescendingObjects.class})
  @SuppressWarnings({"rawtypes", "unchecked"})
  void sortComparatorOrdersKeysAndIdentityReducerKeepsEveryRecord(Class<?> comparator,
      Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<String> lines = new ArrayList<>();
    List<Long> keys = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      long k = rnd.nextInt(500) - 250L;
      keys.add(k);
      lines.add(Long.toString(k));
    }
    input("nums.txt", lines);
    JobSpec job = Job.builder("desc").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.LongKeyMapper.class)
        .mapOutput(Long.class, Long.class).sortComparator((Class) comparator).reduceTasks(1)
        .set(DataPathConfig.SORT_BUFFER_SIZE, "8k").set("quern.input.split-size", "4k")
        .build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    List<Long> got = run.outputLines().stream().map(l -> Long.parseLong(l.split("\t")[0]))
        .toList();
    keys.sort(Collections.reverseOrder());
    assertThat(got).isEqualTo(keys);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_GROUPS))
        .isEqualTo(keys.stream().distinct().count());
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "hash={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void kryoKeysAndValuesSortByNaturalOrder(boolean hash, Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<String> lines = new ArrayList<>();
    Map<TestJobs.Pair, long[]> expected = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      StringBuilder line = new StringBuilder();
      for (int w = 0; w < 6; w++) {
        String word = "abcdefg".charAt(rnd.nextInt(7)) + "x".repeat(rnd.nextInt(6));
        line.append(word).append(' ');
        long[] e = expected.computeIfAbsent(new TestJobs.Pair(word.substring(0, 1),
            word.length() % 3), k -> new long[2]);
        e[0]++;
        e[1] += word.length();
      }
      lines.add(line.toString());
    }
    input("words.txt", lines);
    JobSpec job = Job.builder("kryo").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.PairMapper.class)
        .combiner(TestJobs.StatsReducer.class).reducer(TestJobs.StatsReducer.class)
        .mapOutput(TestJobs.Pair.class, TestJobs.Stats.class).reduceTasks(2)
        .set(DataPathConfig.HASH_COMBINE, Boolean.toString(hash))
        .set(DataPathConfig.SORT_BUFFER_SIZE, "8k").set("quern.input.split-size", "16k")
        .build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    List<String> want = new ArrayList<>();
    Map<Integer, List<String>> byPartition = new TreeMap<>();
    expected.forEach((k, v) -> byPartition.computeIfAbsent(
        new dev.quern.api.HashPartitioner<TestJobs.Pair>().partition(k, 2),
        p -> new ArrayList<>()).add(k + "\t" + new TestJobs.Stats(v[0], v[1])));
    byPartition.values().forEach(want::addAll);
    // Each part file in the keys' natural order; part 0 then part 1.
    assertThat(run.outputLines()).isEqualTo(want);
  }

  @Test
  void mapOnlyJobWritesPartMFiles() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      lines.add("line " + i);
    }
    input("a.txt", lines);
    JobSpec job = Job.builder("upper").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.UpperMapper.class)
        .mapOutput(String.class, String.class).reduceTasks(0)
        .set("quern.input.split-size", "16k").build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();

    // 48,890 bytes ("line 0" to "line 4999") in 16k splits: 16k, 16k and the 16,122-byte rest.
    assertThat(Files.size(tmp.resolve("in/a.txt"))).isEqualTo(48_890);
    assertThat(run.mapResults).hasSize(3);
    assertThat(run.mapResults).allSatisfy(r -> assertThat(r.mapOutput()).isNull());
    assertThat(run.partFiles()).extracting(p -> p.getParent().getFileName() + "/" + p.getFileName())
        .containsExactly("m-00000_1/part-m-00000", "m-00001_1/part-m-00001",
            "m-00002_1/part-m-00002");
    assertThat(run.outputLines())
        .isEqualTo(lines.stream().map(l -> l.toUpperCase(java.util.Locale.ROOT)).toList());
    assertThat(run.mapCounters().get("test", "lines")).isEqualTo(5000);
    assertThat(run.mapCounters().get(TaskCounter.OUTPUT_RECORDS)).isEqualTo(5000);
    // Each split counts the bytes of the lines it owns, so the splits add up to the file.
    assertThat(run.mapCounters().get(TaskCounter.MAP_INPUT_BYTES))
        .isEqualTo(Files.size(tmp.resolve("in/a.txt")));
  }

  @Test
  void mergePassesWhenInputsExceedTheMergeFactor(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Map<String, Long> expected = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      String w = "k" + rnd.nextInt(700);
      expected.merge(w, 1L, Long::sum);
      lines.add(w);
    }
    input("words.txt", lines);
    JobSpec job = Job.builder("passes").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
        .reducer(WordCount.SumReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(2).set("quern.input.split-size", "1500")
        .set(DataPathConfig.MERGE_FACTOR, "3").set(DataPathConfig.SHUFFLE_MEMORY, "8k")
        .build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    assertThat(run.mapResults.size()).isGreaterThan(10);

    Map<String, Long> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t");
      actual.put(kv[0], Long.parseLong(kv[1]));
    }
    assertThat(actual).isEqualTo(expected);
    // Merge passes rewrote records through scratch files.
    assertThat(run.reduceCounters().get(TaskCounter.SPILLED_RECORDS)).isGreaterThan(0);
    try (var s = Files.list(tmp.resolve("scratch"))) {
      assertThat(s.filter(p -> p.toString().contains("r-")).toList()).isEmpty();
    }
  }

  @Test
  void oneKeyWithTenMillionValuesStreamsInASmallHeap() throws Exception {
    // The surefire fork runs with -Xmx256m: collecting 10M boxed values would not fit.
    assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(300L << 20);
    input("one.txt", List.of("x"));
    JobSpec job = Job.builder("skew").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.SkewMapper.class)
        .reducer(TestJobs.CountReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(1).set("skew.count", 10_000_000L).set("skew.key", "hot")
        .set(DataPathConfig.COMPRESS, "false").set(DataPathConfig.SORT_BUFFER_SIZE, "32m")
        .set(DataPathConfig.SHUFFLE_MEMORY, "16m").build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    assertThat(run.outputLines()).containsExactly("hot\t10000000");
    assertThat(run.reduceCounters().get("test", "values")).isEqualTo(10_000_000L);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_RECORDS)).isEqualTo(10_000_000L);
  }

  @Test
  void mapperExceptionPropagatesUnchangedAsTheCauseOfOneNamingTheInput() throws Exception {
    Path file = input("a.txt", List.of("fine", "also fine", "boom here", "never"));
    JobSpec job = Job.builder("boom").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(TestJobs.ThrowingMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    assertThatThrownBy(() -> new LocalJobRun(job, tmp).run())
        .isExactlyInstanceOf(dev.quern.worker.map.InputFailure.class)
        .hasMessage("input " + file + " bytes 0-31, line at byte 15: "
            + new TestJobs.BoomException("mapper hit boom at offset 15"))
        .cause().isExactlyInstanceOf(TestJobs.BoomException.class)
        .hasMessage("mapper hit boom at offset 15");
  }

  @Test
  void reducerExceptionPropagatesUnchanged() throws Exception {
    input("a.txt", List.of("a", "boom", "c"));
    JobSpec job = Job.builder("boom").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
        .reducer(TestJobs.ThrowingReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(1).build().spec();
    assertThatThrownBy(() -> new LocalJobRun(job, tmp).run())
        .isExactlyInstanceOf(TestJobs.BoomException.class).hasMessage("reducer hit boom");
  }

  @Test
  void combinerExceptionPropagatesUnchanged() throws Exception {
    input("a.txt", List.of("a", "boom", "c"));
    JobSpec job = Job.builder("boom").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
        .combiner(TestJobs.ThrowingReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(1).build().spec();
    assertThatThrownBy(() -> new LocalJobRun(job, tmp).run())
        .isExactlyInstanceOf(TestJobs.BoomException.class).hasMessage("reducer hit boom");
  }

  @Test
  void interruptStopsARunningMap() throws Exception {
    JobSpec job = Job.builder("endless").input(tmp.toString()).output(tmp.resolve("o").toString())
        .inputFormat(TestJobs.EndlessInputFormat.class).mapper(TestJobs.SignallingMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(2)
        .set(DataPathConfig.SORT_BUFFER_SIZE, "1m").build().spec();
    TaskAttemptId id = new TaskAttemptId("job-5", TaskKind.MAP, 0, 1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> f = pool.submit(() -> new PipelineTaskRunner().run(new MapTaskSpec(id, job,
          new TestJobs.EndlessSplit(), tmp.resolve("scratch").toString(),
          tmp.resolve("w").toString()), getClass().getClassLoader(), TaskProgress.NONE));
      assertThat(TestJobs.MAP_STARTED.await(30, TimeUnit.SECONDS)).isTrue();
      f.cancel(true);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("map stopped").isTrue();
    } finally {
      pool.shutdownNow();
    }
    // A killed attempt leaves no spill files.
    try (var s = Files.list(tmp.resolve("scratch"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void interruptSurfacesAsInterruptedException() throws Exception {
    JobSpec job = Job.builder("endless").input(tmp.toString()).output(tmp.resolve("o").toString())
        .inputFormat(TestJobs.EndlessInputFormat.class).mapper(TestJobs.SignallingMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    TaskAttemptId id = new TaskAttemptId("job-5", TaskKind.MAP, 1, 1);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> new PipelineTaskRunner().run(new MapTaskSpec(id, job,
        new TestJobs.EndlessSplit(), tmp.resolve("scratch").toString(),
        tmp.resolve("w").toString()), getClass().getClassLoader(), TaskProgress.NONE))
        .isInstanceOf(InterruptedException.class).hasMessageContaining("job-5/m-00001/1");
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void badUserClassesFailClearly() throws Exception {
    input("a.txt", List.of("a"));
    Job.Builder base = Job.builder("bad").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapOutput(String.class, Long.class);
    JobSpec notMapper = withMapper(base.mapper(WordCount.TokenizerMapper.class).build().spec(),
        TestJobs.NotAMapper.class.getName());
    assertThatThrownBy(() -> new LocalJobRun(notMapper, tmp).run())
        .hasMessage(TestJobs.NotAMapper.class.getName() + " is not a Mapper (named as the job's"
            + " mapper)");
    JobSpec missing = withMapper(notMapper, "com.x.Foo");
    assertThatThrownBy(() -> new LocalJobRun(missing, tmp).run())
        .hasMessage("mapper class com.x.Foo not found in the class path (the job has no jar)");
    JobSpec inJar = withMapper(notMapper, "com.x.Foo").withJar("/jars/app.jar");
    assertThatThrownBy(() -> new LocalJobRun(inJar, tmp).run())
        .hasMessage("mapper class com.x.Foo not found in the job's jar /jars/app.jar");
    JobSpec noCtor = withMapper(notMapper, TestJobs.NoDefaultCtorMapper.class.getName());
    assertThatThrownBy(() -> new LocalJobRun(noCtor, tmp).run())
        .hasMessage(TestJobs.NoDefaultCtorMapper.class.getName()
            + " has no public no-arg constructor");
  }

  private static JobSpec withMapper(JobSpec s, String mapper) {
    return new JobSpec(s.name(), s.user(), s.jar(), s.inputPaths(), s.outputPath(),
        s.inputFormat(), s.outputFormat(), mapper, s.combiner(), s.reducer(), s.partitioner(),
        s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(), s.outputKeyClass(),
        s.outputValueClass(), s.sortComparator(), s.groupingComparator(), s.config());
  }
}
