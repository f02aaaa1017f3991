package dev.quern.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The record formats, the sampler and the partitioner, without the engine. */
@ExtendWith(Seeds.class)
class TeraFormatsTest {
  @TempDir Path dir;

  private Path gensortFile(String name, int rows) throws IOException {
    byte[] bytes = new byte[rows * 100];
    BigInteger state = BigInteger.ZERO;
    for (int row = 0; row < rows; row++) {
      state = TeraGenDataTest.step(state);
      System.arraycopy(TeraGenDataTest.referenceRecord(state, row), 0, bytes, row * 100, 100);
    }
    return Files.write(dir.resolve(name), bytes);
  }

  private static List<String> readRange(Path file, long start, long end) throws IOException {
    List<String> rows = new ArrayList<>();
    try (RecordReader<byte[], byte[]> r = new TeraInputFormat()
        .open(new FileSplit(file.toString(), start, end - start, List.of()), Configuration.empty())) {
      while (r.next()) {
        assertThat(r.key()).hasSize(10);
        assertThat(r.value()).hasSize(90);
        // bytes 12..44 of the record (2..34 of the value) hold the row id in hex
        rows.add(new String(r.value(), 2, 32));
      }
    }
    return rows;
  }

  @Test
  void randomCutsReadEveryRecordOnce(Seed seed) throws IOException {
    Path file = gensortFile("in", 1000);
    long size = Files.size(file);
    for (int round = 0; round < 100; round++) {
      SplittableRandom rnd = new SplittableRandom(seed.derive(round));
      TreeSet<Long> cuts = new TreeSet<>(List.of(0L, size));
      for (int i = rnd.nextInt(10); i > 0; i--) {
        cuts.add((long) rnd.nextInt((int) size));
      }
      List<String> all = new ArrayList<>();
      Long prev = null;
      for (long c : cuts) {
        if (prev != null) {
          all.addAll(readRange(file, prev, c));
        }
        prev = c;
      }
      assertThat(all).as("round %d cuts %s", round, cuts).hasSize(1000);
      for (int i = 0; i < 1000; i++) {
        assertThat(all.get(i)).isEqualTo(String.format("%032X", i));
      }
    }
  }

  /** Larger than the reader's 1 MiB chunk, whose records straddle the chunk boundaries. */
  @Test
  void recordsAcrossReadChunksAreWhole(Seed seed) throws IOException {
    Path file = gensortFile("big", 25_000);
    long size = Files.size(file);
    long cut = seed.random().nextLong(size);
    List<String> all = new ArrayList<>(readRange(file, 0, cut));
    all.addAll(readRange(file, cut, size));
    assertThat(all).as("cut at %d", cut).hasSize(25_000);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i)).isEqualTo(String.format("%032X", i));
    }
  }

  /** Writes pieces of random sizes, one larger than the writer's buffer, and nulls. */
  @Test
  void outputFormatWritesKeysThenValues(Seed seed) throws IOException {
    SplittableRandom rnd = seed.random();
    java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
    long count = 0;
    try (var w = new TeraOutputFormat().open(dir, "out", Configuration.empty())) {
      for (int i = 0; i < 5000; i++) {
        byte[] k = new byte[rnd.nextInt(i == 2500 ? 400_000 : 200)];
        rnd.nextBytes(k);
        byte[] v = rnd.nextInt(5) == 0 ? null : new byte[rnd.nextInt(300)];
        if (v != null) {
          rnd.nextBytes(v);
        }
        w.write(k, v);
        want.writeBytes(k);
        count += k.length;
        if (v != null) {
          want.writeBytes(v);
          count += v.length;
        }
      }
      assertThat(w.bytesWritten()).isEqualTo(count);
    }
    assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(want.toByteArray());
  }

  @Test
  void partialRecordIsReportedWithFileAndOffset() throws IOException {
    Path file = gensortFile("short", 10);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, 950));
    assertThatThrownBy(() -> readRange(file, 0, 950))
        .hasMessageContaining("file " + file + " ends inside a record at offset 900");
  }

  @Test
  void sampledCutPointsSplitKeysIntoOrderedBalancedRanges() throws IOException {
    Path file = gensortFile("sample", 20_000);
    int partitions = 5;
    Configuration conf = Configuration.of(Map.of("quern.input.split-size", "200k"));
    String cuts = TeraSampler.cutPoints(List.of(file.toString()), partitions, conf);
    assertThat(cuts.split(",")).hasSize(partitions - 1);
    TotalOrderPartitioner p = new TotalOrderPartitioner();
    p.configure(Configuration.of(Map.of(TotalOrderPartitioner.CUT_POINTS, cuts)));
    int[] counts = new int[partitions];
    List<byte[]> keys = new ArrayList<>();
    TeraInputFormat f = new TeraInputFormat();
    for (InputSplit s : f.splits(List.of(file.toString()), conf)) {
      try (var r = f.open(s, conf)) {
        while (r.next()) {
          keys.add(r.key());
        }
      }
    }
    keys.sort(Arrays::compareUnsigned);
    int last = 0;
    for (byte[] k : keys) {
      int part = p.partition(k, partitions);
      assertThat(part).isGreaterThanOrEqualTo(last); // sorted keys never go back a partition
      last = part;
      counts[part]++;
    }
    for (int c : counts) {
      // The sample (up to 100k keys of up to 10 splits) makes ranges close to 1/5 each.
      assertThat(c).isBetween(20_000 / partitions / 2, 20_000 / partitions * 2);
    }
  }

  /**
   * Keys and cut points that share long prefixes (a 2-letter alphabet), against counting the cut
   * points at or below each key.
   */
  @Test
  void partitionerMatchesCountingCutPoints(Seed seed) {
    SplittableRandom rnd = seed.random();
    List<byte[]> cutList = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      cutList.add(twoLetterKey(rnd));
    }
    cutList.sort(Arrays::compareUnsigned);
    TotalOrderPartitioner p = new TotalOrderPartitioner();
    p.configure(Configuration.of(Map.of(TotalOrderPartitioner.CUT_POINTS,
        String.join(",", cutList.stream().map(TeraRecords::hex).toList()))));
    for (int i = 0; i < 20_000; i++) {
      byte[] key = rnd.nextInt(10) == 0 ? cutList.get(rnd.nextInt(7)).clone() : twoLetterKey(rnd);
      int want = 0;
      for (byte[] c : cutList) {
        if (Arrays.compareUnsigned(c, key) <= 0) {
          want++;
        }
      }
      assertThat(p.partition(key, 8)).as("key %s", TeraRecords.hex(key))
          .isEqualTo(want);
    }
  }

  private static byte[] twoLetterKey(SplittableRandom rnd) {
    byte[] k = new byte[10];
    for (int j = 0; j < k.length; j++) {
      k[j] = (byte) (rnd.nextBoolean() ? 0x41 : 0xc1);
    }
    return k;
  }

  @Test
  void partitionerPlacesKeysAtAndAroundCutPoints() {
    TotalOrderPartitioner p = new TotalOrderPartitioner();
    p.configure(Configuration.of(Map.of(TotalOrderPartitioner.CUT_POINTS,
        "40000000000000000000,80000000000000000000")));
    assertThat(p.partition(TeraRecords.unhex("00000000000000000000"), 3)).isZero();
    assertThat(p.partition(TeraRecords.unhex("3fffffffffffffffffff"), 3)).isZero();
    assertThat(p.partition(TeraRecords.unhex("40000000000000000000"), 3)).isEqualTo(1);
    assertThat(p.partition(TeraRecords.unhex("7fffffffffffffffffff"), 3)).isEqualTo(1);
    assertThat(p.partition(TeraRecords.unhex("80000000000000000000"), 3)).isEqualTo(2);
    assertThat(p.partition(TeraRecords.unhex("ffffffffffffffffffff"), 3)).isEqualTo(2);
    assertThatThrownBy(() -> p.partition(new byte[10], 4))
        .hasMessageContaining("4 reduce tasks").hasMessageContaining("2 cut points");
  }
}
