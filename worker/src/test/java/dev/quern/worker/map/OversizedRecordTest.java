package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.testjobs.LocalJobRun;
import dev.quern.worker.testjobs.WordCount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Map output records larger than the sort buffer: a text line and a binary value three times its
 * size go through; one over {@code quern.map.max-record-size} fails the map with the input file,
 * the record's byte offset and the key to raise, never an OutOfMemoryError.
 */
@ExtendWith(Seeds.class)
class OversizedRecordTest {
  private static final int BUFFER = 16 * 1024;

  @TempDir Path tmp;

  /** Emits each line as its key, with its length. */
  public static class LineMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      ctx.emit(line, (long) line.length());
    }
  }

  /** For each line "NAME SIZE SEED" emits (NAME, SIZE seeded random bytes). */
  public static class BlobMapper implements Mapper<Long, String, String, byte[]> {
    @Override
    public void map(Long offset, String line, Context<String, byte[]> ctx) {
      String[] f = line.split(" ");
      ctx.emit(f[0], blob(Integer.parseInt(f[1]), Long.parseLong(f[2])));
    }
  }

  /** Writes each value's length and CRC32, so the output names every byte without holding it. */
  public static class DigestReducer implements Reducer<String, byte[], String, String> {
    @Override
    public void reduce(String key, Iterable<byte[]> values, Context<String, String> ctx) {
      for (byte[] v : values) {
        ctx.emit(key, v.length + ":" + crc(v));
      }
    }
  }

  static byte[] blob(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  /** Writes one line of {@code length} bytes without holding it in memory. */
  private static void fill(Path file, long length, byte b) throws Exception {
    byte[] chunk = new byte[1 << 20];
    java.util.Arrays.fill(chunk, b);
    try (var out = Files.newOutputStream(file)) {
      for (long left = length; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
  }

  private static String randomLine(SplittableRandom rnd, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('a' + rnd.nextInt(26)));
    }
    return sb.toString();
  }

  private Path input(List<String> lines) throws Exception {
    return Files.write(Files.createDirectories(tmp.resolve("in")).resolve("big.txt"), lines,
        StandardCharsets.UTF_8);
  }

  private Job.Builder job(String name) {
    return Job.builder(name).input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).reduceTasks(2)
        .set(DataPathConfig.SORT_BUFFER_SIZE, String.valueOf(BUFFER));
  }

  @ParameterizedTest(name = "compress={0}")
  @CsvSource({"false", "true"})
  void aLineThreeTimesTheSortBufferGoesThrough(boolean compress, Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      lines.add(randomLine(rnd, 1 + rnd.nextInt(40)));
    }
    String big = randomLine(rnd, 3 * BUFFER);
    lines.add(150, big);
    lines.add(big.substring(0, BUFFER + 7));
    input(lines);
    JobSpec spec = job("long-line").mapper(LineMapper.class)
        .reducer(dev.quern.worker.testjobs.TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class)
        .set(DataPathConfig.COMPRESS, String.valueOf(compress)).build().spec();
    LocalJobRun run = new LocalJobRun(spec, tmp).run();
    Map<String, Long> expected = new TreeMap<>();
    lines.forEach(l -> expected.merge(l, (long) l.length(), Long::sum));
    Map<String, Long> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      int tab = line.lastIndexOf('\t');
      actual.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void aWordThreeTimesTheSortBufferGoesThroughTheCombiningTable(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    String big = randomLine(rnd, 3 * BUFFER);
    input(List.of("a b " + big + " a", big, "b"));
    JobSpec spec = job("long-word").mapper(WordCount.TokenizerMapper.class)
        .combiner(WordCount.SumReducer.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).build().spec();
    LocalJobRun run = new LocalJobRun(spec, tmp).run();
    assertThat(run.outputLines()).containsExactlyInAnyOrder("a\t2", "b\t2", big + "\t2");
  }

  @Test
  void aBinaryValueThreeTimesTheSortBufferGoesThrough(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<String> lines = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int size = i == 17 ? 3 * BUFFER : i == 30 ? BUFFER : rnd.nextInt(200);
      long blobSeed = rnd.nextLong();
      lines.add("k" + (i % 7) + " " + size + " " + blobSeed);
      expected.add("k" + (i % 7) + "\t" + size + ":" + crc(blob(size, blobSeed)));
    }
    input(lines);
    JobSpec spec = job("blob").mapper(BlobMapper.class).reducer(DigestReducer.class)
        .mapOutput(String.class, byte[].class).output(String.class, String.class)
        .build().spec();
    LocalJobRun run = new LocalJobRun(spec, tmp).run();
    assertThat(run.outputLines()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aLineOverTheLimitNamesTheFileItsOffsetAndTheKey(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    String before = "short line";
    Path file = input(List.of(before, randomLine(rnd, 3 * BUFFER), "after"));
    JobSpec spec = job("too-long").mapper(LineMapper.class)
        .reducer(dev.quern.worker.testjobs.TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class)
        .set(DataPathConfig.MAX_RECORD_SIZE, "32k").build().spec();
    assertThatThrownBy(() -> new LocalJobRun(spec, tmp).run())
        .isInstanceOf(InputFailure.class)
        .hasMessageStartingWith("input " + file + " bytes 0-" + Files.size(file)
            + ", line at byte " + (before.length() + 1) + ": map output key of more than 32768"
            + " bytes exceeds quern.map.max-record-size=32768: raise it")
        .cause().isInstanceOf(RecordTooLargeException.class);
  }

  @Test
  void aBinaryValueOverTheLimitNamesTheValue() throws Exception {
    Path file = input(List.of("a 10 1", "b 100000 2"));
    JobSpec spec = job("blob-too-large").mapper(BlobMapper.class).reducer(DigestReducer.class)
        .mapOutput(String.class, byte[].class).output(String.class, String.class)
        .set(DataPathConfig.MAX_RECORD_SIZE, "64k").build().spec();
    assertThatThrownBy(() -> new LocalJobRun(spec, tmp).run())
        .isInstanceOf(InputFailure.class)
        .hasMessageStartingWith("input " + file + " bytes 0-" + Files.size(file)
            + ", line at byte 7: map output value of more than 65536 bytes exceeds "
            + "quern.map.max-record-size=65536");
  }

  @Test
  void aWordOverTheLimitFailsInTheCombiningTableToo(Seed seed) throws Exception {
    Path file = input(List.of("a", randomLine(seed.random(), 40_000)));
    JobSpec spec = job("long-word").mapper(WordCount.TokenizerMapper.class)
        .combiner(WordCount.SumReducer.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).set(DataPathConfig.MAX_RECORD_SIZE, "20k")
        .build().spec();
    assertThatThrownBy(() -> new LocalJobRun(spec, tmp).run())
        .isInstanceOf(InputFailure.class)
        .hasMessageContaining("input " + file + " bytes 0-" + Files.size(file)
            + ", line at byte 2: map output key of more than 20480 bytes exceeds"
            + " quern.map.max-record-size=20480");
  }

  /**
   * With this test JVM's heap (the worker module's tests run in 256 MiB) and the default limit
   * (an eighth of it), a line of one and a half times the limit fails with the error, not with
   * an OutOfMemoryError; one of half the limit goes through.
   */
  @Test
  void theDefaultLimitStopsALineBeforeTheHeapRunsOut() throws Exception {
    long limit = DataPathConfig.defaultMaxRecordSize();
    assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(1L << 30);
    Path file = Files.createDirectories(tmp.resolve("in")).resolve("big.txt");
    fill(file, limit + limit / 2, (byte) 'x');
    JobSpec tooBig = job("default-limit").mapper(LineMapper.class)
        .reducer(dev.quern.worker.testjobs.TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class).set(DataPathConfig.SORT_BUFFER_SIZE, "1m")
        .build().spec();
    assertThatThrownBy(() -> new LocalJobRun(tooBig, tmp).run())
        .isInstanceOf(InputFailure.class)
        .hasMessageContaining("line at byte 0: map output key of more than " + limit);
    fill(file, limit / 2, (byte) 'y');
    JobSpec fits = job("half-limit").mapper(LineMapper.class)
        .reducer(dev.quern.worker.testjobs.TestJobs.CountReducer.class)
        .output(tmp.resolve("out2").toString()).mapOutput(String.class, Long.class)
        .set(DataPathConfig.SORT_BUFFER_SIZE, "1m").build().spec();
    LocalJobRun run = new LocalJobRun(fits, tmp).run();
    assertThat(run.reduceCounters().get(dev.quern.api.TaskCounter.REDUCE_INPUT_RECORDS))
        .isEqualTo(1);
    assertThat(run.reduceCounters().get("test", "values")).isEqualTo(1);
    List<String> out = run.outputLines();
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).hasSize((int) (limit / 2) + 1 + String.valueOf(limit / 2).length())
        .endsWith("y\t" + limit / 2);
  }
}
