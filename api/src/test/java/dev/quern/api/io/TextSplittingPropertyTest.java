package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * However a text file is cut into splits, reading every split yields each line exactly once, in
 * order, keyed by the byte offset where it starts. Expected lines are computed here straight from
 * the bytes, independently of {@link LineRecordReader}.
 */
@ExtendWith(Seeds.class)
class TextSplittingPropertyTest {
  private static final String[] PIECES = {"a", "b", "quern", " ", "\t", "é", "漢", "🙂", "0", "x"};

  @TempDir Path dir;

  record Line(long offset, String text) {}

  @Test
  void everyLineIsReadExactlyOnceWithItsOffsetForAnySplitSize(Seed seed) throws IOException {
    SplittableRandom rnd = seed.random();
    for (int round = 0; round < 300; round++) {
      byte[] content = randomText(rnd);
      Path file = dir.resolve("f" + round + ".txt");
      Files.write(file, content);
      long splitSize = 1 + rnd.nextInt(Math.max(1, content.length + 5));
      List<Line> actual = readAll(file, splitSize);
      assertThat(actual)
          .as("round %d, split size %d, content %s", round, splitSize, escape(content))
          .containsExactlyElementsOf(expectedLines(content));
    }
  }

  @Test
  void gzipFilesAreReadWholeByOneSplit(Seed seed) throws IOException {
    SplittableRandom rnd = seed.random();
    for (int round = 0; round < 50; round++) {
      byte[] content = randomText(rnd);
      Path file = dir.resolve("g" + round + ".txt.gz");
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(content);
      }
      long splitSize = 1 + rnd.nextInt(16);
      List<InputSplit> splits = new TextInputFormat().splits(List.of(file.toString()),
          conf(splitSize));
      assertThat(splits).as("round %d", round).hasSize(1);
      assertThat(readAll(file, splitSize))
          .as("round %d, content %s", round, escape(content))
          .containsExactlyElementsOf(expectedLines(content));
    }
  }

  @Test
  void aGzipSplitThatDoesNotStartTheFileIsRefusedNamingTheFile() throws IOException {
    Path file = dir.resolve("x.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> new LineRecordReader(new FileSplit(file.toString(), 5, 5, List.of())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("5");
  }

  @Test
  void directoriesSkipHiddenAndUnderscoreFilesAndMissingPathsAreNamed() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "one\n");
    Files.writeString(dir.resolve("_SUCCESS"), "{}");
    Files.writeString(dir.resolve(".crc"), "x");
    List<InputSplit> splits =
        new TextInputFormat().splits(List.of(dir.toString()), Configuration.empty());
    assertThat(splits).extracting(InputSplit::describe)
        .containsExactly(dir.resolve("a.txt") + ":0+4");
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(() -> new TextInputFormat().splits(List.of(missing), Configuration.empty()))
        .isInstanceOf(IOException.class)
        .hasMessage("input path " + missing + " does not exist");
  }

  private static Configuration conf(long splitSize) {
    return Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, Long.toString(splitSize)));
  }

  private static List<Line> readAll(Path file, long splitSize) throws IOException {
    TextInputFormat format = new TextInputFormat();
    List<Line> lines = new ArrayList<>();
    for (InputSplit split : format.splits(List.of(file.toString()), conf(splitSize))) {
      try (RecordReader<Long, String> r = format.open(split, Configuration.empty())) {
        while (r.next()) {
          lines.add(new Line(r.key(), r.value()));
        }
      }
    }
    return lines;
  }

  /** Lines end at {@code \n}; a {@code \r} right before it (or at the end of file) is dropped. */
  private static List<Line> expectedLines(byte[] content) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= content.length; i++) {
      boolean end = i == content.length;
      if (end && start == content.length) {
        break;
      }
      if (end || content[i] == '\n') {
        int stop = i;
        if (stop > start && content[stop - 1] == '\r') {
          stop--;
        }
        lines.add(new Line(start, new String(content, start, stop - start,
            StandardCharsets.UTF_8)));
        start = i + 1;
      }
    }
    return lines;
  }

  /** Lines of random words (some multi-byte), empty lines, LF or CRLF, maybe no final newline. */
  private static byte[] randomText(SplittableRandom rnd) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int lines = rnd.nextInt(12);
    for (int i = 0; i < lines; i++) {
      int pieces = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(20);
      StringBuilder line = new StringBuilder();
      for (int p = 0; p < pieces; p++) {
        line.append(PIECES[rnd.nextInt(PIECES.length)]);
      }
      out.write(line.toString().getBytes(StandardCharsets.UTF_8));
      boolean last = i == lines - 1;
      if (!last || rnd.nextBoolean()) {
        out.write(rnd.nextBoolean() ? "\r\n".getBytes(StandardCharsets.UTF_8) : new byte[] {'\n'});
      }
    }
    return out.toByteArray();
  }

  private static String escape(byte[] content) {
    return "\"" + new String(content, StandardCharsets.UTF_8).replace("\r", "\\r")
        .replace("\n", "\\n") + "\"";
  }
}
