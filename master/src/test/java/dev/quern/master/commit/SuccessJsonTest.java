package dev.quern.master.commit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code _SUCCESS} is written without Jackson, byte for byte as Jackson wrote it before. */
@ExtendWith(Seeds.class)
class SuccessJsonTest {
  /** What {@code JobCommitter} used to write with. */
  private static final ObjectMapper JACKSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static String jackson(SuccessFile s) throws Exception {
    return new String(JACKSON.writeValueAsBytes(s), StandardCharsets.UTF_8);
  }

  private static String ours(SuccessFile s) throws Exception {
    return new String(JobCommitter.successBytes(s), StandardCharsets.UTF_8);
  }

  @Test
  void aTypicalFileIsJacksonsBytes() throws Exception {
    Map<String, Map<String, Long>> counters = new TreeMap<>();
    counters.put("quern", new TreeMap<>(Map.of("MAP_INPUT_RECORDS", 1000L, "REDUCE_OUTPUT", 7L)));
    counters.put("user", new TreeMap<>(Map.of("lines", -3L)));
    SuccessFile s = new SuccessFile("job-0001", "wordcount", "ann", 1L, 2L, Long.MAX_VALUE,
        counters);
    assertThat(SuccessJson.bytes(s)).isEqualTo(JACKSON.writeValueAsBytes(s));
    assertThat(ours(s)).startsWith("{" + System.lineSeparator() + "  \"jobId\" : \"job-0001\",");
  }

  @Test
  void emptyAndNullPartsAreJacksons() throws Exception {
    Map<String, Map<String, Long>> withNulls = new LinkedHashMap<>();
    withNulls.put("empty", Map.of());
    withNulls.put("none", null);
    Map<String, Long> nullValue = new HashMap<>();
    nullValue.put("x", null);
    withNulls.put("nullValue", nullValue);
    for (SuccessFile s : new SuccessFile[] {
        new SuccessFile(null, null, null, 0, 0, 0, null),
        new SuccessFile("j", "", "u", -1, Long.MIN_VALUE, 0, Map.of()),
        new SuccessFile("j", "n", "u", 5, 6, 7, withNulls)}) {
      assertThat(ours(s)).as("%s", s).isEqualTo(jackson(s));
    }
  }

  @Test
  void aNullCounterNameIsLeftToJackson() throws Exception {
    Map<String, Map<String, Long>> counters = new HashMap<>();
    counters.put(null, Map.of());
    assertThat(SuccessJson.bytes(new SuccessFile("j", "n", "u", 1, 2, 3, counters))).isNull();
  }

  @Test
  void randomNamesAndCountersAreJacksonsBytes(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    for (int i = 0; i < 500; i++) {
      Map<String, Map<String, Long>> counters = new LinkedHashMap<>();
      int groups = rnd.nextInt(4);
      for (int g = 0; g < groups; g++) {
        Map<String, Long> values = new LinkedHashMap<>();
        int n = rnd.nextInt(5);
        for (int v = 0; v < n; v++) {
          values.put(text(rnd), rnd.nextLong());
        }
        counters.put(text(rnd), values);
      }
      SuccessFile s = new SuccessFile(text(rnd), text(rnd), text(rnd), rnd.nextLong(),
          rnd.nextLong(), rnd.nextLong(), counters);
      assertThat(ours(s)).as("case %d: %s", i, s).isEqualTo(jackson(s));
    }
  }

  @Test
  void theCommitWritesTheBytesAndReadsThemBack(@TempDir Path dir) throws Exception {
    String out = dir.resolve("out").toString();
    JobCommitter.setupJob(out);
    Map<String, Map<String, Long>> counters =
        Map.of("quern", new TreeMap<>(Map.of("MAP_INPUT_RECORDS", 12L)));
    SuccessFile s = new SuccessFile("job-0007", "name \"é\" \u2603 \uD83D\uDE00", "bob\t",
        10, 20, 30, counters);
    JobCommitter.commitJob(out, s);
    Path file = dir.resolve("out").resolve("_SUCCESS");
    assertThat(Files.readAllBytes(file)).isEqualTo(JACKSON.writeValueAsBytes(s));
    assertThat(JobCommitter.readSuccess(file)).isEqualTo(s);
  }

  /** Strings with what JSON escapes: quotes, backslashes, controls, non-ASCII, surrogates. */
  private static String text(SplittableRandom rnd) {
    int n = rnd.nextInt(12);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(8)) {
        case 0 -> b.append((char) rnd.nextInt(0x20));
        case 1 -> b.append("\"\\/".charAt(rnd.nextInt(3)));
        case 2 -> b.append((char) (0x80 + rnd.nextInt(0x780)));
        case 3 -> b.append((char) (0x800 + rnd.nextInt(0xD000)));
        case 4 -> b.appendCodePoint(0x10000 + rnd.nextInt(0x100000));
        case 5 -> b.append((char) (0xD800 + rnd.nextInt(0x800))); // a lone surrogate
        case 6 -> b.append((char) (0xE000 + rnd.nextInt(0x2000)));
        default -> b.append((char) (0x20 + rnd.nextInt(0x60)));
      }
    }
    return b.toString();
  }
}
