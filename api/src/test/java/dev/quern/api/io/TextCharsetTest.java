package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quern.input.charset, the count of malformed lines, and the reader's position. */
class TextCharsetTest {
  @TempDir Path tmp;

  private static Configuration conf(String charset) {
    return Configuration.of(Map.of(TextInputFormat.CHARSET, charset));
  }

  @Test
  void theCharsetKeyIsCheckedAndDefaultsToUtf8() {
    assertThat(TextInputFormat.charset(Configuration.empty())).isEqualTo(StandardCharsets.UTF_8);
    assertThat(TextInputFormat.charset(conf("windows-1252")).name()).isEqualTo("windows-1252");
    assertThatThrownBy(() -> TextInputFormat.charset(conf("klingon")))
        .hasMessage("configuration entry 'quern.input.charset' names no charset this JVM "
            + "knows: 'klingon'");
    assertThatThrownBy(() -> TextInputFormat.charset(conf("UTF-16")))
        .hasMessageStartingWith("configuration entry 'quern.input.charset' must name an "
            + "ASCII-compatible charset");
    assertThatThrownBy(() -> TextInputFormat.charset(conf("IBM037")))
        .hasMessageContaining("ASCII-compatible");
  }

  @Test
  void malformedLinesAreCountedAndPositionsNameTheLine() throws Exception {
    // "caf\xe9" is Latin-1; "\xff\xfe" is never UTF-8; the U+FFFD line is valid UTF-8.
    byte[] bytes = concat("ok\n".getBytes(StandardCharsets.UTF_8),
        "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1),
        new byte[] {(byte) 0xff, (byte) 0xfe, '\n'},
        "real \uFFFD\n".getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(tmp.resolve("a.txt"), bytes);
    FileSplit split = new FileSplit(file.toString(), 0, bytes.length, List.of());
    List<String> lines = new ArrayList<>();
    try (LineRecordReader r = new LineRecordReader(split)) {
      assertThat(r.position()).isNull();
      while (r.next()) {
        lines.add(r.value());
        if (lines.size() == 2) {
          assertThat(r.position()).isEqualTo("line at byte 3");
        }
      }
      assertThat(r.malformedRecords()).isEqualTo(2);
    }
    assertThat(lines).containsExactly("ok", "caf\uFFFD", "\uFFFD\uFFFD", "real \uFFFD");

    try (RecordReader<Long, String> r = new TextInputFormat().open(split, conf("ISO-8859-1"))) {
      assertThat(r.next()).isTrue();
      assertThat(r.next()).isTrue();
      assertThat(r.value()).isEqualTo("caf\u00e9");
      while (r.next()) {
        // the rest
      }
      assertThat(r.malformedRecords()).isZero();
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
