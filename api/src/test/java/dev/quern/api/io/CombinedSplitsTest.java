package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many small files (and a few large ones) read through combined splits give exactly the lines,
 * with the same (file, offset) keys, as reading every file on its own with plain Java.
 */
@ExtendWith(Seeds.class)
class CombinedSplitsTest {

  /** A line as read: the file, the key (byte offset in the file) and the text. */
  private record Line(String file, long offset, String text) {}

  private static List<Path> writeFiles(Path dir, SplittableRandom r, int count) throws IOException {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // Mostly small files, some empty, a few larger than the target split size below.
      int lines = i % 97 == 0 ? 3_000 : i % 13 == 0 ? 0 : 1 + r.nextInt(40);
      StringBuilder b = new StringBuilder();
      for (int l = 0; l < lines; l++) {
        b.append("f").append(i).append("-l").append(l).append('-')
            .append(Long.toString(r.nextLong() & 0xffffff, 36)).append('\n');
      }
      Path f = dir.resolve(String.format("in-%05d.txt", i));
      Files.writeString(f, b);
      files.add(f);
    }
    return files;
  }

  /** Every line of every file, with its byte offset, read without Quern. */
  private static Set<Line> expected(List<Path> files) throws IOException {
    Set<Line> out = new HashSet<>();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          out.add(new Line(f.toString(), start,
              new String(bytes, start, i - start, StandardCharsets.UTF_8)));
          start = i + 1;
        }
      }
    }
    return out;
  }

  @Test
  void combinedSplitsReadEveryLineOnceWithItsFileOffset(Seed seed, @TempDir Path dir)
      throws IOException {
    List<Path> files = writeFiles(dir, seed.random(), 2_000);
    Configuration conf = Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, "64k",
        CombinedSplits.MAX_SIZE, "48k"));
    CombineTextInputFormat format = new CombineTextInputFormat();
    List<InputSplit> splits = format.splits(List.of(dir.toString()), conf);

    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    // Packed: about total / 48k splits, not one per file.
    assertThat(splits.size()).isLessThan((int) (total / (48 << 10)) + 30);
    assertThat(splits).anyMatch(s -> s instanceof CombinedFileSplit);
    for (InputSplit s : splits) {
      assertThat(s.length()).isLessThanOrEqualTo(Math.max(48 << 10, (long) (64 << 10) * 11 / 10));
    }

    List<Line> read = new ArrayList<>();
    for (InputSplit s : splits) {
      try (RecordReader<Long, String> r = format.open(s, conf)) {
        long bytes = 0;
        while (r.next()) {
          String file = r instanceof CombinedRecordReader<Long, String> c
              ? c.currentPart().path() : ((FileSplit) s).path();
          read.add(new Line(file, r.key(), r.value()));
          assertThat(r.progress()).isBetween(0f, 1f);
        }
        bytes = r.bytesRead();
        assertThat(bytes).isGreaterThanOrEqualTo(s.length());
      }
    }
    assertThat(new HashSet<>(read)).hasSize(read.size()).isEqualTo(expected(files));
  }

  @Test
  void describeNamesEveryFileAndAReadErrorNamesTheFileAndOffset(@TempDir Path dir)
      throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "one\ntwo\n");
    Path b = dir.resolve("b.txt");
    CombinedFileSplit split = new CombinedFileSplit(List.of(
        new FileSplit(a.toString(), 0, 8, List.of()),
        new FileSplit(b.toString(), 0, 5, List.of())));
    assertThat(split.describe()).isEqualTo("2 files, 13 bytes: " + a + ":0+8, " + b + ":0+5");
    try (RecordReader<Long, String> r = new TextInputFormat().open(split, Configuration.empty())) {
      assertThat(r.next()).isTrue();
      assertThat(r.next()).isTrue();
      assertThatThrownBy(r::next).isInstanceOf(IOException.class)
          .hasMessageContaining("opening " + b + " at byte 0 (part 2 of 2 of a combined split");
    }
  }

  @Test
  void textInputFormatCombinesOnlyWhenAsked(@TempDir Path dir) throws IOException {
    for (int i = 0; i < 50; i++) {
      Files.writeString(dir.resolve("f" + i + ".txt"), "line " + i + "\n");
    }
    assertThat(new TextInputFormat().splits(List.of(dir.toString()), Configuration.empty()))
        .hasSize(50).allMatch(s -> s instanceof FileSplit);
    Configuration conf = Configuration.of(Map.of(CombinedSplits.COMBINE, "true"));
    assertThat(new TextInputFormat().splits(List.of(dir.toString()), conf)).hasSize(1)
        .allMatch(s -> s instanceof CombinedFileSplit c && c.parts().size() == 50);
  }
}
