package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineInputFormatTest {
  @TempDir Path dir;

  /** "key=value" lines; blank ones skipped, others without '=' fail naming file and offset. */
  public static class PropertiesFormat extends LineInputFormat<String, String> {
    int parsersMade;

    @Override
    protected LineParser<String, String> parser(FileSplit split, Configuration conf) {
      parsersMade++;
      return (offset, line) -> {
        if (line.isBlank()) {
          return null;
        }
        int eq = line.indexOf('=');
        if (eq < 0) {
          throw new IOException(split.path() + " at byte " + offset + ": no '='");
        }
        return Map.entry(line.substring(0, eq), offset + ":" + line.substring(eq + 1));
      };
    }
  }

  private static List<String> readAll(LineInputFormat<String, String> f, List<InputSplit> splits)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (InputSplit s : splits) {
      try (RecordReader<String, String> r = f.open(s, Configuration.empty())) {
        while (r.next()) {
          out.add(r.key() + "=" + r.value());
        }
      }
    }
    return out;
  }

  @Test
  void parsesEachLineOnceAcrossSplitsSkippingNulls() throws IOException {
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      if (i % 7 == 0) {
        text.append("  \n");
      } else {
        expected.add("k" + i + "=" + text.length() + ":v" + i);
        text.append("k").append(i).append("=v").append(i).append("\r\n");
      }
    }
    Path file = Files.writeString(dir.resolve("p.txt"), text, StandardCharsets.UTF_8);
    PropertiesFormat f = new PropertiesFormat();
    List<InputSplit> splits = f.splits(List.of(file.toString()),
        Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, "300")));
    // 300-byte splits; the last may be up to 10% larger rather than leave a tiny tail.
    long size = Files.size(file);
    List<String> planned = new ArrayList<>();
    long start = 0;
    while (size - start > 330) {
      planned.add(file + ":" + start + "+300");
      start += 300;
    }
    planned.add(file + ":" + start + "+" + (size - start));
    assertThat(planned).hasSizeGreaterThan(10);
    assertThat(splits).extracting(InputSplit::describe).isEqualTo(planned);
    assertThat(readAll(f, splits)).isEqualTo(expected);
    assertThat(f.parsersMade).isEqualTo(splits.size());
    long bytes = 0;
    for (InputSplit s : splits) {
      try (RecordReader<String, String> r = f.open(s, Configuration.empty())) {
        while (r.next()) {
          assertThat(r.progress()).isBetween(0f, 1f);
        }
        bytes += r.bytesRead();
      }
    }
    assertThat(bytes).isEqualTo(Files.size(file));
  }

  @Test
  void gzipFilesAreReadWholeLikeText() throws IOException {
    Path gz = dir.resolve("p.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("a=1\n\nb=2\n".repeat(200).getBytes(StandardCharsets.UTF_8));
    }
    PropertiesFormat f = new PropertiesFormat();
    List<InputSplit> splits = f.splits(List.of(gz.toString()),
        Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, "100")));
    assertThat(splits).hasSize(1);
    // Offsets are those of the uncompressed text: each 9-byte repeat holds a= at 0, b= at 5.
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add("a=" + 9 * i + ":1");
      expected.add("b=" + (9 * i + 5) + ":2");
    }
    assertThat(readAll(f, splits)).isEqualTo(expected);
    assertThat(TextInputFormat.splittable(gz)).isFalse();
    assertThat(TextInputFormat.splittable(dir.resolve("p.txt"))).isTrue();
  }

  @Test
  void badLineFailsNamingFileAndOffsetAndOtherSplitsAreRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.txt"), "a=1\nb=2\nnope\n");
    PropertiesFormat f = new PropertiesFormat();
    assertThatThrownBy(() -> readAll(f, List.of(new FileSplit(file.toString(), 0, 13, List.of()))))
        .isInstanceOf(IOException.class).hasMessage(file + " at byte 8: no '='");
    InputSplit other = new InputSplit() {
      @Override
      public long length() {
        return 1;
      }

      @Override
      public String describe() {
        return "other";
      }

      @Override
      public String toString() {
        return "other";
      }
    };
    assertThatThrownBy(() -> f.open(other, Configuration.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PropertiesFormat reads FileSplits, got other");
  }
}
