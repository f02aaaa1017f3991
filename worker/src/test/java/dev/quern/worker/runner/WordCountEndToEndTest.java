package dev.quern.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.testjobs.LocalJobRun;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(Seeds.class)
class WordCountEndToEndTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "combiner={0} compress={1} hash={2}")
  @CsvSource({"true,true,true", "true,false,false", "false,true,false", "false,false,false",
      "true,true,false"})
  void wordCountMatchesIndependentCount(boolean combiner, boolean compress, boolean hash,
      Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Path in = Files.createDirectories(tmp.resolve("in"));
    Map<String, Long> expected = new TreeMap<>();
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int l = 0; l < 2000; l++) {
        StringBuilder line = new StringBuilder();
        int words = rnd.nextInt(12);
        for (int w = 0; w < words; w++) {
          String word = "w" + (int) Math.abs(rnd.nextGaussian() * 300) + (rnd.nextInt(50) == 0
              ? "é" : "");
          expected.merge(word, 1L, Long::sum);
          line.append(word).append(rnd.nextBoolean() ? " " : "\t ");
        }
        lines.add(line.toString());
      }
      Files.write(in.resolve("f" + f + ".txt"), lines);
    }
    Job.Builder b = Job.builder("wc").input(in.toString()).output(tmp.resolve("out").toString())
        .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(3)
        .set(DataPathConfig.SORT_BUFFER_SIZE, "8k")
        .set(DataPathConfig.COMPRESS, Boolean.toString(compress))
        .set(DataPathConfig.HASH_COMBINE, Boolean.toString(hash))
        .set("quern.input.split-size", "20k");
    if (combiner) {
      b.combiner(WordCount.SumReducer.class);
    }
    JobSpec job = b.build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();

    Map<String, Long> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t");
      assertThat(actual.put(kv[0], Long.parseLong(kv[1]))).as("duplicate key " + kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    long words = expected.values().stream().mapToLong(Long::longValue).sum();
    assertThat(run.mapCounters().get(TaskCounter.MAP_OUTPUT_RECORDS)).isEqualTo(words);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_GROUPS))
        .isEqualTo(expected.size());
    assertThat(run.reduceCounters().get(TaskCounter.OUTPUT_RECORDS)).isEqualTo(expected.size());
    assertThat(run.mapResults.size()).isGreaterThan(3);
    // Each part file is sorted by key (UTF-8 byte order).
    for (Path part : run.partFiles()) {
      List<String> keys = Files.readAllLines(part).stream().map(l -> l.split("\t")[0])
          .collect(Collectors.toList());
      assertThat(keys).isSortedAccordingTo(
          (x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    // Each combine replaced `in` records by `out`: the reducers read what is left.
    long combineIn = run.mapCounters().get(TaskCounter.COMBINE_INPUT_RECORDS);
    long combineOut = run.mapCounters().get(TaskCounter.COMBINE_OUTPUT_RECORDS);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_RECORDS))
        .isEqualTo(words - (combineIn - combineOut));
    if (combiner) {
      assertThat(combineOut).as("the combiner shrank the map output").isLessThan(combineIn);
    } else {
      assertThat(combineIn).isZero();
    }
  }
}
