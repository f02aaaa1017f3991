package dev.quern.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileInputFormat;
import dev.quern.examples.grep.Grep;
import dev.quern.examples.invertedindex.InvertedIndex;
import dev.quern.examples.wordcount.WordCount;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringTokenizer;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each example run end to end on a local cluster, its output checked against the same answer
 * computed here in plain Java over the same files. The drivers submit through {@link
 * JobSubmitter#current()}, so the cluster is installed as the current submitter.
 */
@ExtendWith(Seeds.class)
class ExamplesEndToEndTest {
  @RegisterExtension static final CurrentLocalCluster CLUSTER = new CurrentLocalCluster(2);

  @TempDir Path dir;


  @Test
  void wordCountMatchesAPlainJavaCountAcrossManySplits(Seed seed) throws Exception {
    List<Path> files = TestCorpus.write(dir.resolve("in"), seed, 3, 40_000);
    Path out = dir.resolve("out");
    JobStatus status = Drivers.run(Specs.with(WordCount.job(dir.resolve("in").toString(),
        out.toString()), FileInputFormat.SPLIT_SIZE, "8k"));

    Map<String, Long> expected = plainWordCount(files);
    assertWordCountOutput(out, expected);
    assertThat(status.counters().get(TaskCounter.OUTPUT_RECORDS))
        .isEqualTo(expected.size());
    assertThat(status.counters().get(TaskCounter.MAP_OUTPUT_RECORDS))
        .isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void wordCountDriverRunsOnTheBuiltInSample() throws Exception {
    Path in = Samples.extractTo(dir.resolve("sample"));
    Path out = dir.resolve("out");
    WordCount.main(new String[] {in.toString(), out.toString()});
    try (var s = Files.list(in)) {
      assertWordCountOutput(out, plainWordCount(s.sorted().toList()));
    }
  }

  @Test
  void invertedIndexListsTheSortedFilesOfEachWord(Seed seed) throws Exception {
    List<Path> files = TestCorpus.write(dir.resolve("in"), seed, 4, 20_000);
    Files.writeString(dir.resolve("in").resolve("only-here.txt"), "Zebra quagga\nzebra\n");
    files = new ArrayList<>(files);
    files.add(dir.resolve("in").resolve("only-here.txt"));
    Path out = dir.resolve("out");
    Drivers.run(Specs.with(InvertedIndex.job(dir.resolve("in").toString(), out.toString()),
        FileInputFormat.SPLIT_SIZE, "4k"));

    Map<String, String> expected = new TreeMap<>();
    Pattern word = Pattern.compile("[\\p{L}\\p{Nd}]+");
    Map<String, TreeSet<String>> index = new HashMap<>();
    for (Path f : files) {
      Matcher m = word.matcher(Files.readString(f, StandardCharsets.UTF_8));
      while (m.find()) {
        index.computeIfAbsent(m.group().toLowerCase(Locale.ROOT), w -> new TreeSet<>())
            .add(f.getFileName().toString());
      }
    }
    index.forEach((w, names) -> expected.put(w, String.join(",", names)));

    Map<String, String> actual = new TreeMap<>();
    for (String line : JobOutput.lines(out)) {
      String[] kv = JobOutput.keyValue(line);
      assertThat(actual.put(kv[0], kv[1])).as("word %s written twice", kv[0]).isNull();
    }
    assertThat(actual).containsExactlyEntriesOf(expected);
    assertThat(actual).containsEntry("zebra", "only-here.txt");
  }

  @Test
  void grepCountsMatchesAndSortsThemByCountDescending(Seed seed) throws Exception {
    List<Path> files = TestCorpus.write(dir.resolve("in"), seed, 3, 30_000);
    Path out = dir.resolve("out");
    String regex = "[a-z]*ing\\b|[0-9]+";
    Grep.main(new String[] {dir.resolve("in").toString(), out.toString(), regex});

    Map<String, Long> expected = new HashMap<>();
    Pattern p = Pattern.compile(regex);
    for (Path f : files) {
      for (String line : Files.readString(f, StandardCharsets.UTF_8).split("\r?\n")) {
        Matcher m = p.matcher(line);
        while (m.find()) {
          expected.merge(m.group(), 1L, Long::sum);
        }
      }
    }
    List<Path> parts = JobOutput.partFiles(out);
    assertThat(parts).as("one reduce task, so one ordered file").hasSize(1);
    List<String> lines = JobOutput.lines(out);
    Map<String, Long> actual = new HashMap<>();
    long previousCount = Long.MAX_VALUE;
    for (String line : lines) {
      String[] kv = JobOutput.keyValue(line);
      long count = Long.parseLong(kv[1]);
      assertThat(count).as("counts descend: %s", lines).isLessThanOrEqualTo(previousCount);
      previousCount = count;
      assertThat(actual.put(kv[0], count)).as("match %s written twice", kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(expected).containsKey("morning");
  }

  @Test
  void aMissingInputIsRefusedNamingThePathAndNoOutputAppears() {
    Path missing = dir.resolve("no-such-input");
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> WordCount.main(new String[] {missing.toString(), out.toString()}))
        .isInstanceOf(JobSubmissionException.class)
        .hasMessageContaining(missing.toString());
    assertThat(out).doesNotExist();
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> Grep.main(new String[] {"in", "out"}))
        .hasMessage("usage: grep IN OUT REGEX [GROUP]");
    assertThatThrownBy(() -> WordCount.main(new String[] {"in"}))
        .hasMessage("usage: wordcount IN OUT");
  }

  /** Word counts exactly as StringTokenizer splits: its delimiters include \r and \n. */
  static Map<String, Long> plainWordCount(List<Path> files) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    for (Path f : files) {
      StringTokenizer t = new StringTokenizer(Files.readString(f, StandardCharsets.UTF_8));
      while (t.hasMoreTokens()) {
        counts.merge(t.nextToken(), 1L, Long::sum);
      }
    }
    return counts;
  }

  /**
   * The output holds each word once, with its count, and each part file is sorted by the
   * words' UTF-8 bytes (the engine's order for String keys).
   */
  static void assertWordCountOutput(Path out, Map<String, Long> expected) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    Map<String, Long> actual = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Path part : JobOutput.partFiles(out)) {
      byte[] previous = null;
      for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
        String[] kv = JobOutput.keyValue(line);
        byte[] key = kv[0].getBytes(StandardCharsets.UTF_8);
        if (previous != null) {
          assertThat(Arrays.compareUnsigned(previous, key)).as("order in %s at %s", part, kv[0])
              .isLessThan(0);
        }
        previous = key;
        assertThat(seen.add(kv[0])).as("word %s in two places", kv[0]).isTrue();
        actual.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }
}
