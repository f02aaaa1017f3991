package dev.quern.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Configuration;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** TeraGen's bytes against a second, straightforward BigInteger implementation of gensort. */
@ExtendWith(Seeds.class)
class TeraGenDataTest {
  @TempDir Path dir;

  private static final BigInteger MOD = BigInteger.ONE.shiftLeft(128);
  private static final BigInteger A = new BigInteger("2360ed051fc65da44385df649fccf645", 16);
  private static final BigInteger C = new BigInteger("4a696d47726179524950202020202001", 16);

  /** gensort's record for {@code row}: state = f^(row+1)(0), laid out as the benchmark says. */
  static byte[] referenceRecord(BigInteger state, long row) {
    String stateHex = String.format("%032X", state);
    byte[] stateBytes = new byte[16];
    for (int i = 0; i < 16; i++) {
      stateBytes[i] = (byte) Integer.parseInt(stateHex.substring(2 * i, 2 * i + 2), 16);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(stateBytes, 0, 10);
    out.write(0x00);
    out.write(0x11);
    out.writeBytes(String.format("%032X", BigInteger.valueOf(row)).getBytes());
    out.writeBytes(new byte[] {(byte) 0x88, (byte) 0x99, (byte) 0xAA, (byte) 0xBB});
    for (char c : stateHex.substring(20).toCharArray()) {
      for (int k = 0; k < 4; k++) {
        out.write(c);
      }
    }
    out.writeBytes(new byte[] {(byte) 0xCC, (byte) 0xDD, (byte) 0xEE, (byte) 0xFF});
    return out.toByteArray();
  }

  static BigInteger step(BigInteger x) {
    return x.multiply(A).add(C).mod(MOD);
  }

  static BigInteger big(Uint128 u) {
    return new BigInteger(1, java.nio.ByteBuffer.allocate(16).putLong(u.hi).putLong(u.lo)
        .array());
  }

  @Test
  void jumpTableMatchesHadoopsPublishedConstants() {
    // Entries of Random16.genArray as printed in Hadoop's and gensort's sources.
    assertThat(Random16.JUMP_A[1]).isEqualTo(Uint128.ofHex("17bce35bdf69743c529ed9eb20e0ae99"));
    assertThat(Random16.JUMP_C[1]).isEqualTo(Uint128.ofHex("95e0e48262b3edfe04479485c755b646"));
    assertThat(Random16.JUMP_A[9]).isEqualTo(Uint128.ofHex("4a5c31e0654c28aa60474e83bf3f7801"));
    assertThat(Random16.JUMP_C[9]).isEqualTo(Uint128.ofHex("00be4a36657c98cd204e8c8af7dafe00"));
    assertThat(Random16.JUMP_A[64]).isEqualTo(Uint128.ofHex("5f0ba18c53cd8fbc0000000000000001"));
    assertThat(Random16.JUMP_C[64]).isEqualTo(Uint128.ofHex("f0b1944bfd71a97f0000000000000000"));
    assertThat(Random16.JUMP_A[126]).isEqualTo(Uint128.ofHex("1"));
    assertThat(Random16.JUMP_C[126]).isEqualTo(Uint128.ofHex("c0000000000000000000000000000000"));
    assertThat(Random16.JUMP_C[127]).isEqualTo(Uint128.ofHex("80000000000000000000000000000000"));
  }

  @Test
  void arithmeticAndSkipAheadAgreeWithBigInteger(Seed seed) {
    SplittableRandom rnd = seed.random();
    for (int i = 0; i < 2000; i++) {
      Uint128 a = new Uint128(rnd.nextLong(), rnd.nextLong());
      Uint128 b = new Uint128(rnd.nextLong(), rnd.nextLong());
      Uint128 p = new Uint128(a);
      p.multiply(b);
      assertThat(big(p)).as("%s * %s", a, b).isEqualTo(big(a).multiply(big(b)).mod(MOD));
      Uint128 s = new Uint128(a);
      s.add(b);
      assertThat(big(s)).as("%s + %s", a, b).isEqualTo(big(a).add(big(b)).mod(MOD));
    }
    for (long n : new long[] {0, 1, 2, 3, 1000, 123_456_789L, Long.MAX_VALUE}) {
      // f^n(0) = C * (A^n - 1) / (A - 1), computed without division: sum of A^k, k < n.
      BigInteger expected = n <= 1000 ? iterate(n) : closedForm(n);
      assertThat(big(Random16.skipAhead(new Uint128(0, n)))).as("skip %d", n)
          .isEqualTo(expected);
    }
  }

  private static BigInteger iterate(long n) {
    BigInteger x = BigInteger.ZERO;
    for (long i = 0; i < n; i++) {
      x = step(x);
    }
    return x;
  }

  /** f^n(0) by squaring the affine map (a, c) with BigInteger: independent of the jump table. */
  private static BigInteger closedForm(long n) {
    BigInteger ra = BigInteger.ONE;
    BigInteger rc = BigInteger.ZERO;
    BigInteger a = A;
    BigInteger c = C;
    while (n > 0) {
      if ((n & 1) == 1) {
        rc = a.multiply(rc).add(c).mod(MOD);
        ra = a.multiply(ra).mod(MOD);
      }
      c = a.multiply(c).add(c).mod(MOD);
      a = a.multiply(a).mod(MOD);
      n >>= 1;
    }
    return rc;
  }

  /** Runs TeraGen's map side for every split, as the engine would, into one concatenated file. */
  private byte[] generate(long rows, int maps, long[] checksum) throws Exception {
    Configuration conf = Configuration.of(Map.of(RowRangeInputFormat.ROWS, Long.toString(rows),
        RowRangeInputFormat.MAPS, Integer.toString(maps)));
    RowRangeInputFormat in = new RowRangeInputFormat();
    List<InputSplit> splits = in.splits(List.of(), conf);
    assertThat(splits).hasSize(maps);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < splits.size(); i++) {
      CollectingContext<byte[], byte[]> ctx = new CollectingContext<>();
      TeraGenMapper mapper = new TeraGenMapper();
      mapper.setup(ctx);
      try (RecordReader<Long, Void> r = in.open(splits.get(i), conf)) {
        while (r.next()) {
          mapper.map(r.key(), r.value(), ctx);
        }
      }
      mapper.cleanup(ctx);
      checksum[0] += ctx.counter("terasort/checksum");
      Path work = Files.createDirectories(dir.resolve("gen-" + maps + "-" + i));
      try (RecordWriter<byte[], byte[]> w = new TeraOutputFormat().open(work, "part", conf)) {
        for (var e : ctx.emitted) {
          w.write(e.getKey(), e.getValue());
        }
      }
      all.writeBytes(Files.readAllBytes(work.resolve("part")));
    }
    return all.toByteArray();
  }

  @Test
  void generatedBytesEqualTheReferenceGensortRecords() throws Exception {
    int rows = 3000;
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    BigInteger state = BigInteger.ZERO;
    long expectedChecksum = 0;
    CRC32 crc = new CRC32();
    for (long row = 0; row < rows; row++) {
      state = step(state);
      byte[] rec = referenceRecord(state, row);
      assertThat(rec).hasSize(100);
      expected.writeBytes(rec);
      crc.reset();
      crc.update(rec);
      expectedChecksum += crc.getValue();
    }
    for (int maps : new int[] {1, 3, 7}) {
      long[] checksum = new long[1];
      byte[] got = generate(rows, maps, checksum);
      assertThat(got).as("%d maps", maps).isEqualTo(expected.toByteArray());
      assertThat(checksum[0]).isEqualTo(expectedChecksum);
    }
  }

  @Test
  void rowsFarIntoTheSequenceMatchTheReference() throws Exception {
    // A task starting at row 10^12 must not depend on the rows before it.
    long first = 1_000_000_000_000L;
    RowRangeSplit split = new RowRangeSplit(first, 5);
    CollectingContext<byte[], byte[]> ctx = new CollectingContext<>();
    TeraGenMapper mapper = new TeraGenMapper();
    mapper.setup(ctx);
    try (var r = new RowRangeInputFormat().open(split, Configuration.empty())) {
      while (r.next()) {
        mapper.map(r.key(), r.value(), ctx);
      }
    }
    BigInteger state = closedForm(first);
    for (int i = 0; i < 5; i++) {
      state = step(state);
      byte[] rec = referenceRecord(state, first + i);
      var e = ctx.emitted.get(i);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      got.writeBytes(e.getKey());
      got.writeBytes(e.getValue());
      assertThat(got.toByteArray()).isEqualTo(rec);
    }
  }

  @Test
  void checksumOfAMillionRowsIsTheOneHadoopPublishes() throws Exception {
    // Hadoop's teravalidate prints "checksum 7a27e2d0d55de" for teragen 1000000 (100 MB).
    Configuration conf = Configuration.of(Map.of(RowRangeInputFormat.ROWS, "1000000",
        RowRangeInputFormat.MAPS, "4"));
    RowRangeInputFormat in = new RowRangeInputFormat();
    long sum = 0;
    long rows = 0;
    for (InputSplit s : in.splits(List.of(), conf)) {
      CollectingContext<byte[], byte[]> ctx = new CollectingContext<>(false);
      TeraGenMapper mapper = new TeraGenMapper();
      mapper.setup(ctx);
      try (RecordReader<Long, Void> r = in.open(s, conf)) {
        while (r.next()) {
          mapper.map(r.key(), r.value(), ctx);
        }
      }
      mapper.cleanup(ctx);
      sum += ctx.counter("terasort/checksum");
      rows += ctx.emits;
    }
    assertThat(rows).isEqualTo(1_000_000);
    assertThat(Long.toHexString(sum)).isEqualTo("7a27e2d0d55de");
  }

  @Test
  void rowCountsAcceptHadoopSuffixes() {
    assertThat(TeraGen.parseRows("10k")).isEqualTo(10_000);
    assertThat(TeraGen.parseRows("3m")).isEqualTo(3_000_000);
    assertThat(TeraGen.parseRows("1b")).isEqualTo(1_000_000_000);
    assertThat(TeraGen.parseRows("123")).isEqualTo(123);
  }
}
