package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lines that lie in the reader's buffer, straddle its refills or are longer than it, with bytes
 * next to {@code \n} in value (which a word-at-a-time search must not take for it), read as a
 * plain split on {@code \n} says.
 */
@ExtendWith(Seeds.class)
class LineRecordReaderBufferTest {
  private static final byte[] BYTES = {'a', 'z', ' ', '\t', 0x0b, 0x09, (byte) 0x8a, (byte) 0x0a,
      (byte) 0xc3, (byte) 0xa9, 0x00, (byte) 0xff, '\r'};

  @TempDir Path dir;

  @Test
  void indexOfNewlineFindsTheFirstOne(Seed seed) {
    SplittableRandom rnd = seed.random();
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[rnd.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = rnd.nextInt(8) == 0 ? (byte) '\n' : BYTES[rnd.nextInt(BYTES.length)];
      }
      int from = b.length == 0 ? 0 : rnd.nextInt(b.length);
      int to = from + rnd.nextInt(b.length - from + 1);
      int want = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == '\n') {
          want = i;
          break;
        }
      }
      assertThat(LineRecordReader.indexOfNewline(b, from, to)).as("round %d", round)
          .isEqualTo(want);
    }
  }

  @Test
  void linesAcrossAndBeyondTheBufferReadAsAPlainSplit(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Long> offsets = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int kind = rnd.nextInt(100);
      int len = kind < 90 ? rnd.nextInt(120) : kind < 99 ? rnd.nextInt(5000) : 70_000
          + rnd.nextInt(70_000);
      byte[] line = new byte[len];
      for (int j = 0; j < len; j++) {
        byte c = BYTES[rnd.nextInt(BYTES.length)];
        line[j] = c == '\n' ? (byte) 'n' : c;
      }
      offsets.add((long) out.size());
      out.write(line);
      boolean crlf = rnd.nextBoolean();
      if (crlf) {
        out.write('\r');
      }
      int keep = crlf ? len : len > 0 && line[len - 1] == '\r' ? len - 1 : len;
      lines.add(new String(line, 0, keep, StandardCharsets.UTF_8));
      out.write('\n');
    }
    Path file = Files.write(dir.resolve("lines.txt"), out.toByteArray());
    List<Long> gotOffsets = new ArrayList<>();
    List<String> got = new ArrayList<>();
    try (LineRecordReader r = new LineRecordReader(
        new FileSplit(file.toString(), 0, Files.size(file), List.of()))) {
      while (r.next()) {
        gotOffsets.add(r.key());
        got.add(r.value());
      }
      assertThat(r.bytesRead()).isEqualTo(Files.size(file));
    }
    assertThat(gotOffsets).isEqualTo(offsets);
    assertThat(got).isEqualTo(lines);
  }
}
