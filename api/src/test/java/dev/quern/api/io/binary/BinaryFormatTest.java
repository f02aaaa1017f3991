package dev.quern.api.io.binary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeds.class)
class BinaryFormatTest {
  @TempDir Path dir;

  /** A job's own value type, which travels through Kryo. */
  public record Point(int x, String label, List<Long> tags) {}

  private static final ClassLoader LOADER = BinaryFormatTest.class.getClassLoader();

  private <K, V> List<Object[]> roundTrip(Class<K> kc, Class<V> vc, int n,
      IntFunction<K> key, IntFunction<V> value, Map<String, String> extra) throws IOException {
    Path out = Files.createDirectories(dir.resolve("out-" + kc.getSimpleName() + "-"
        + vc.getSimpleName() + "-" + extra.hashCode()));
    Map<String, String> conf = new HashMap<>(BinaryOutputFormat.classes(kc, vc));
    conf.putAll(extra);
    List<Object[]> written = new ArrayList<>();
    try (RecordWriter<K, V> w = new BinaryOutputFormat<K, V>()
        .open(out, "part-r-00000", Configuration.of(conf))) {
      for (int i = 0; i < n; i++) {
        K k = key.apply(i);
        V v = value.apply(i);
        w.write(k, v);
        written.add(new Object[] {k, v});
      }
    }
    Configuration in = Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, "4k"));
    in = in.with(BinaryInputFormat.expect(kc, vc));
    BinaryInputFormat<K, V> format = new BinaryInputFormat<>();
    List<InputSplit> splits = format.splits(List.of(out.toString()), in);
    List<Object[]> read = new ArrayList<>();
    for (InputSplit s : splits) {
      try (RecordReader<K, V> r = format.open(s, in)) {
        while (r.next()) {
          read.add(new Object[] {r.key(), r.value()});
        }
      }
    }
    assertThat(read).hasSameSizeAs(written);
    for (int i = 0; i < n; i++) {
      assertThat(read.get(i)).as("record %d", i).containsExactly(written.get(i));
    }
    return read;
  }

  @Test
  void roundTripsManyRecordsOfSeveralTypes() throws IOException {
    for (String codec : List.of("lz4", "none")) {
      Map<String, String> c = Map.of(BinaryFormat.OUTPUT_COMPRESSION, codec,
          BinaryFormat.OUTPUT_BLOCK_SIZE, "2k");
      roundTrip(String.class, Long.class, 5000, i -> "word-" + (i * 7919 % 1000), i -> (long) i
          * -31, c);
      roundTrip(Long.class, String.class, 3000, i -> (long) i << 20,
          i -> i % 5 == 0 ? null : "v\u00e9\u4e2d" + i, c);
      roundTrip(Integer.class, Double.class, 3000, i -> -i, i -> i / 7.0, c);
      roundTrip(byte[].class, Point.class, 2000,
          i -> ("k" + i).getBytes(StandardCharsets.UTF_8),
          i -> new Point(i, i % 3 == 0 ? null : "p" + i, List.of((long) i, 2L)), c);
    }
  }

  private Path writeFile(String name, int records, boolean compress, int blockSize)
      throws IOException {
    Path file = dir.resolve(name);
    try (var w = new BinaryRecordWriter<>(file, Long.class, String.class, compress, blockSize,
        LOADER)) {
      for (long i = 0; i < records; i++) {
        w.write(i, i % 11 == 0 ? null : "value " + i + " " + "x".repeat((int) (i % 37)));
      }
    }
    return file;
  }

  private static List<Long> readKeys(Path file, long start, long end) throws IOException {
    List<Long> keys = new ArrayList<>();
    try (BinaryRecordReader<Long, String> r = BinaryRecordReader.open(
        new FileSplit(file.toString(), start, end - start, List.of()), LOADER, null, null)) {
      while (r.next()) {
        keys.add(r.key());
        String expected = r.key() % 11 == 0 ? null
            : "value " + r.key() + " " + "x".repeat((int) (r.key() % 37));
        assertThat(r.value()).isEqualTo(expected);
      }
    }
    return keys;
  }

  @Test
  void randomSplitsReadEveryRecordExactlyOnce(Seed seed) throws IOException {
    int records = 4000;
    Path lz4 = writeFile("lz4.qbin", records, true, 700);
    Path raw = writeFile("raw.qbin", records, false, 1500);
    for (int round = 0; round < 150; round++) {
      Path file = round % 2 == 0 ? lz4 : raw;
      long size = Files.size(file);
      SplittableRandom rnd = new SplittableRandom(seed.derive(round));
      TreeSet<Long> cuts = new TreeSet<>();
      int n = 1 + rnd.nextInt(12);
      for (int i = 0; i < n; i++) {
        // Some cuts land near the header and near the end, where the edge cases live.
        long c = switch (rnd.nextInt(4)) {
          case 0 -> rnd.nextInt(64);
          case 1 -> size - rnd.nextInt(64);
          default -> (long) (rnd.nextDouble() * size);
        };
        cuts.add(Math.max(0, Math.min(size, c)));
      }
      cuts.add(0L);
      cuts.add(size);
      List<Long> all = new ArrayList<>();
      Long prev = null;
      for (long c : cuts) {
        if (prev != null) {
          all.addAll(readKeys(file, prev, c));
        }
        prev = c;
      }
      List<Long> expected = new ArrayList<>();
      for (long i = 0; i < records; i++) {
        expected.add(i);
      }
      assertThat(all).as("round %d, cuts %s of %s", round, cuts, file).isEqualTo(expected);
    }
  }

  /** Offsets of every occurrence of the file's sync marker, found without the reader. */
  private static List<Integer> blockOffsets(byte[] bytes, int headerLength) {
    byte[] sync = Arrays.copyOfRange(bytes, headerLength - 16, headerLength);
    List<Integer> offsets = new ArrayList<>();
    for (int i = headerLength; i + 16 <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + 16, sync, 0, 16)) {
        offsets.add(i);
      }
    }
    return offsets;
  }

  @Test
  void corruptBlockIsReportedWithFileAndOffset() throws IOException {
    Path file = writeFile("corrupt.qbin", 2000, true, 1000);
    byte[] bytes = Files.readAllBytes(file);
    // magic 4, version 1, two UTF strings with 2-byte lengths, sync 16
    int headerLength = 4 + 1 + 2 + "java.lang.Long".length() + 2 + "java.lang.String".length()
        + 16;
    List<Integer> blocks = blockOffsets(bytes, headerLength);
    assertThat(blocks).hasSizeGreaterThan(3).startsWith(headerLength);
    // Each block's header counts its records: blocks 0 to 2 hold keys 0 to before3 - 1.
    long[] counts = blocks.stream().mapToLong(b -> recordCount(bytes, b)).toArray();
    assertThat(LongStream.of(counts).sum()).isEqualTo(2000);
    long before3 = counts[0] + counts[1] + counts[2];
    int victim = blocks.get(2);
    bytes[victim + BinaryFormat.BLOCK_HEADER_LENGTH + 5] ^= 0x40;
    Files.write(file, bytes);
    assertThatThrownBy(() -> readKeys(file, 0, bytes.length))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt block in binary file " + file + " at offset " + victim)
        .hasMessageContaining("CRC32C");
    // A split that starts after the damage reads its own blocks fine: every key from block 3 on.
    assertThat(readKeys(file, blocks.get(3), bytes.length))
        .isEqualTo(LongStream.range(before3, 2000).boxed().toList());
  }

  /** The record count in the header of the block at {@code offset} (after its sync marker). */
  private static long recordCount(byte[] bytes, int offset) {
    return java.nio.ByteBuffer.wrap(bytes, offset + 16, 4).getInt();
  }

  @Test
  void truncatedFileIsReportedWithFileAndOffset() throws IOException {
    Path file = writeFile("short.qbin", 2000, true, 1000);
    byte[] bytes = Files.readAllBytes(file);
    int headerLength = 4 + 1 + 2 + 14 + 2 + 16 + 16;
    List<Integer> blocks = blockOffsets(bytes, headerLength);
    int last = blocks.get(blocks.size() - 1);
    Files.write(file, Arrays.copyOf(bytes, last + 30));
    assertThatThrownBy(() -> readKeys(file, 0, last + 30))
        .hasMessageContaining("corrupt block in binary file " + file + " at offset " + last);
  }

  @Test
  void fileInAnotherFormatFailsNamingTheFile() throws IOException {
    Path text = Files.writeString(dir.resolve("lines.txt"), "hello\nworld\n");
    assertThatThrownBy(() -> readKeys(text, 0, Files.size(text)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("file " + text + " is not a Quern binary key/value file");
    Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
    assertThatThrownBy(() -> readKeys(empty, 0, 0)).hasMessageContaining(empty.toString());
  }

  @Test
  void classesOtherThanExpectedFailNamingTheFile() throws IOException {
    Path file = writeFile("typed.qbin", 10, true, 1000);
    BinaryInputFormat<String, String> f = new BinaryInputFormat<>();
    Configuration conf = Configuration.of(BinaryInputFormat.expect(String.class, String.class));
    InputSplit split = f.splits(List.of(file.toString()), conf).get(0);
    assertThatThrownBy(() -> f.open(split, conf))
        .hasMessageContaining("binary file " + file + " holds keys of class java.lang.Long, "
            + "but the job expects java.lang.String");
  }

  @Test
  void classesComeFromFirstRecordAndEmptyOutputIsReadable() throws IOException {
    Path out = Files.createDirectories(dir.resolve("untyped"));
    BinaryOutputFormat<String, Integer> f = new BinaryOutputFormat<>();
    try (var w = f.open(out, "part-0", Configuration.empty())) {
      w.write("a", 1);
      w.write("b", null);
    }
    try (var w = f.open(out, "part-1", Configuration.empty())) {
      // no records
      assertThat(w.bytesWritten()).isZero();
    }
    Configuration conf = Configuration.of(BinaryInputFormat.expect(String.class, Integer.class));
    BinaryInputFormat<String, Integer> in = new BinaryInputFormat<>();
    List<String> seen = new ArrayList<>();
    for (InputSplit s : in.splits(List.of(out.toString()), conf)) {
      try (var r = in.open(s, conf)) {
        while (r.next()) {
          seen.add(r.key() + "=" + r.value());
        }
      }
    }
    assertThat(seen).containsExactly("a=1", "b=null");
  }
}
