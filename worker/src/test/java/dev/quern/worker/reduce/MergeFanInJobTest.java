package dev.quern.worker.reduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.spill.RunFiles;
import dev.quern.worker.testjobs.LocalJobRun;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole job with thousands of spills and dozens of map outputs: {@code quern.sort.factor}
 * bounds the run files open at once on both sides (counted by {@link RunFiles}), and the counts
 * equal a TreeMap's.
 */
@ExtendWith(Seeds.class)
class MergeFanInJobTest {
  @TempDir Path tmp;

  @Test
  void bothSidesMergeAtMostTheSortFactorAtOnce(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Map<String, Long> expected = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      StringBuilder line = new StringBuilder();
      for (int w = 0; w < 10; w++) {
        String word = "w" + rnd.nextInt(3000);
        expected.merge(word, 1L, Long::sum);
        line.append(word).append(' ');
      }
      lines.add(line.toString());
    }
    Path file = Files.write(Files.createDirectories(tmp.resolve("in")).resolve("words.txt"),
        lines);
    // With the default shuffle memory the small map outputs are held in memory and go to the
    // final merge as they are; with none they are read in place, as files, merged in passes.
    for (String shuffleMemory : new String[] {"64m", "0"}) {
      runOnce(file, expected, shuffleMemory);
    }
  }

  private void runOnce(Path file, Map<String, Long> expected, String shuffleMemory)
      throws Exception {
    String out = "out-" + shuffleMemory;
    // No combiner: every word is a record. 1 KiB buffers spill every ~25 records: about 1,600
    // spills over 40 maps, and each reduce merges 40 map outputs.
    JobSpec job = Job.builder("fan-in").input(tmp.resolve("in").toString())
        .output(tmp.resolve(out).toString()).mapper(WordCount.TokenizerMapper.class)
        .reducer(WordCount.SumReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(2).set("quern.input.split-size", String.valueOf(Files.size(file) / 40))
        .set(DataPathConfig.SORT_BUFFER_SIZE, "1k").set(DataPathConfig.SORT_FACTOR, "5")
        .set(DataPathConfig.SHUFFLE_MEMORY, shuffleMemory)
        .build().spec();
    int openBefore = RunFiles.open();
    RunFiles.resetPeak();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    assertThat(RunFiles.peak() - openBefore).as("run files open at once").isEqualTo(5);
    assertThat(RunFiles.open()).as("run files left open").isEqualTo(openBefore);

    assertThat(run.mapResults.size()).isGreaterThanOrEqualTo(40);
    Map<String, Long> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t");
      assertThat(actual.put(kv[0], Long.parseLong(kv[1]))).as("key %s twice", kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    long records = expected.values().stream().mapToLong(Long::longValue).sum();
    // Spilled, rewritten by passes, merged: more than twice per record on the map side.
    assertThat(run.mapCounters().get(TaskCounter.SPILLED_RECORDS)).isGreaterThan(2 * records);
    // Reduce-side passes through scratch files, only for runs in files.
    if (shuffleMemory.equals("0")) {
      assertThat(run.reduceCounters().get(TaskCounter.SPILLED_RECORDS)).isPositive();
    } else {
      assertThat(run.reduceCounters().get(TaskCounter.SPILLED_RECORDS))
          .as("runs in memory go to the final merge as they are").isZero();
    }
    try (Stream<Path> s = Files.list(tmp.resolve("scratch"))) {
      assertThat(s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".spill") || n.contains(".pass") || n.contains(".merge")))
          .as("spill and pass files left").isEmpty();
    }
  }

  @Test
  void theFormerKeyStillSetsTheFactorAndTheNewOneWins() {
    assertThat(DataPathConfig.from(Configuration.empty()).mergeFactor())
        .isEqualTo(DataPathConfig.DEFAULT_SORT_FACTOR);
    assertThat(DataPathConfig.from(Configuration.of(
        Map.of(DataPathConfig.OLD_MERGE_FACTOR, "7"))).mergeFactor()).isEqualTo(7);
    assertThat(DataPathConfig.from(Configuration.of(Map.of(DataPathConfig.OLD_MERGE_FACTOR, "7",
        DataPathConfig.SORT_FACTOR, "9"))).mergeFactor()).isEqualTo(9);
    assertThatThrownBy(() -> DataPathConfig.from(
        Configuration.of(Map.of(DataPathConfig.SORT_FACTOR, "1"))))
        .hasMessage("quern.sort.factor must be at least 2, got 1");
    assertThatThrownBy(() -> DataPathConfig.from(
        Configuration.of(Map.of(DataPathConfig.OLD_MERGE_FACTOR, "1"))))
        .hasMessage("quern.reduce.merge-factor must be at least 2, got 1");
  }
}
