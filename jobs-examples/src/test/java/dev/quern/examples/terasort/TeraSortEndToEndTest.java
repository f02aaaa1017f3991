package dev.quern.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobSpec;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import dev.quern.api.io.FileInputFormat;
import dev.quern.master.local.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TeraGen, TeraSort and TeraValidate on a LocalCluster (needs the engine). */
class TeraSortEndToEndTest {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  private static LocalCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.start(2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The records of a directory's visible files, concatenated in name order. */
  private static byte[] concat(Path out) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Path f : FileInputFormat.listFiles(List.of(out.toString()))) {
      all.writeBytes(Files.readAllBytes(f));
    }
    return all.toByteArray();
  }

  private static List<byte[]> records(byte[] bytes) {
    assertThat(bytes.length % 100).isZero();
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += 100) {
      out.add(Arrays.copyOfRange(bytes, i, i + 100));
    }
    return out;
  }

  private static byte[] reference(long rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BigInteger state = BigInteger.ZERO;
    for (long row = 0; row < rows; row++) {
      state = TeraGenDataTest.step(state);
      out.writeBytes(TeraGenDataTest.referenceRecord(state, row));
    }
    return out.toByteArray();
  }

  /**
   * TeraValidate's checksum as Hadoop defines it: the sum of every record's CRC32, modulo 2^128,
   * in lower-case hex without leading zeros. Computed with BigInteger, apart from Uint128.
   */
  private static String crcSumHex(List<byte[]> records) {
    BigInteger sum = BigInteger.ZERO;
    CRC32 crc = new CRC32();
    for (byte[] r : records) {
      crc.reset();
      crc.update(r);
      sum = sum.add(BigInteger.valueOf(crc.getValue()));
    }
    return sum.mod(BigInteger.ONE.shiftLeft(128)).toString(16);
  }

  private static List<byte[]> sortedCopy(List<byte[]> records) {
    List<byte[]> sorted = new ArrayList<>(records);
    sorted.sort(Arrays::compareUnsigned);
    return sorted;
  }

  /** The records are equal one by one (byte arrays compare by identity in plain equals). */
  private static void assertSameRecords(List<byte[]> actual, List<byte[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("record %d", i).isEqualTo(expected.get(i));
    }
  }

  private void genSortValidate(long rows, int maps, int reduces, String splitSize)
      throws Exception {
    Path gen = dir.resolve("gen-" + rows + "-" + maps + "-" + reduces);
    Path sorted = dir.resolve("sorted-" + rows + "-" + maps + "-" + reduces);
    Path report = dir.resolve("report-" + rows + "-" + maps + "-" + reduces);

    JobStatus g = TeraGen.job(rows, maps, gen.toString()).submit(cluster).awaitCompletion(LIMIT);
    assertThat(g.succeeded()).as("teragen: %s", g.failure()).isTrue();
    byte[] generated = concat(gen);
    assertThat(generated).isEqualTo(reference(rows));
    List<byte[]> input = records(generated);
    String checksum = crcSumHex(input);
    assertThat(Long.toHexString(g.counters().get("terasort", "checksum"))).isEqualTo(checksum);

    JobStatus s = TeraSort.job(gen.toString(), sorted.toString(), reduces,
            Map.of(FileInputFormat.SPLIT_SIZE, splitSize))
        .submit(cluster).awaitCompletion(LIMIT);
    assertThat(s.succeeded()).as("terasort: %s", s.failure()).isTrue();
    List<Path> parts = FileInputFormat.listFiles(List.of(sorted.toString()));
    assertThat(parts).hasSize(reduces);
    List<byte[]> output = records(concat(sorted));
    // Sorted by key, and the same records as the input (as a multiset).
    for (int i = 1; i < output.size(); i++) {
      assertThat(Arrays.compareUnsigned(output.get(i - 1), 0, 10, output.get(i), 0, 10))
          .as("keys at records %d and %d", i - 1, i).isLessThanOrEqualTo(0);
    }
    assertSameRecords(sortedCopy(output), sortedCopy(input));

    JobStatus v = TeraValidate.job(sorted.toString(), report.toString(), Map.of())
        .submit(cluster).awaitCompletion(LIMIT);
    assertThat(v.succeeded()).as("teravalidate: %s", v.failure()).isTrue();
    TeraValidate.Report r = TeraValidate.readReport(report);
    assertThat(r.errors()).isEmpty();
    assertThat(r.checksum()).isEqualTo(checksum);
  }

  @Test
  void genSortValidateOneReducer() throws Exception {
    genSortValidate(2000, 1, 1, "64m");
  }

  @Test
  void genSortValidateSeveralSplitsAndReducers() throws Exception {
    genSortValidate(6000, 3, 4, "50k");
  }

  @Test
  void genSortValidateMoreReducersThanMaps() throws Exception {
    genSortValidate(3000, 2, 7, "20k");
  }

  @Test
  void driversRunOnTheBuiltInSampleWithNoArguments() throws Exception {
    // The jobs the drivers submit tell where the sample lives (a fresh temp directory), so the
    // test checks those files and removes that directory only, not another run's.
    List<JobSpec> submitted = new CopyOnWriteArrayList<>();
    JobSubmitter previous = JobSubmitter.install(spec -> {
      submitted.add(spec);
      return cluster.submit(spec);
    });
    try {
      // teravalidate with no arguments generates, sorts and validates the sample; it throws
      // unless every step succeeded and the sorted sample validates.
      TeraValidate.main(new String[0]);
      assertThat(submitted).extracting(JobSpec::name)
          .containsExactly("teragen", "terasort", "teravalidate");
      JobSpec gen = submitted.get(0);
      JobSpec sort = submitted.get(1);
      JobSpec validate = submitted.get(2);
      assertThat(sort.inputPaths()).containsExactly(gen.outputPath());
      assertThat(validate.inputPaths()).containsExactly(sort.outputPath());

      byte[] generated = concat(Path.of(gen.outputPath()));
      assertThat(generated).isEqualTo(reference(TeraSample.ROWS));
      List<byte[]> input = records(generated);
      assertSameRecords(records(concat(Path.of(sort.outputPath()))), sortedCopy(input));
      TeraValidate.Report report = TeraValidate.readReport(Path.of(validate.outputPath()));
      assertThat(report.errors()).isEmpty();
      assertThat(report.checksum()).isEqualTo(crcSumHex(input));
    } finally {
      JobSubmitter.install(previous);
      if (!submitted.isEmpty()) {
        deleteSample(Path.of(submitted.get(0).outputPath()).getParent());
      }
    }
  }

  private static void deleteSample(Path sample) throws java.io.IOException {
    assertThat(sample.getFileName().toString()).startsWith("quern-teravalidate-");
    try (var walk = Files.walk(sample)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Test
  void badArgumentsAreRefused() throws Exception {
    assertThat(TeraGen.run(new String[] {"lots", dir.resolve("x").toString()}, cluster))
        .isEqualTo(2);
    assertThat(TeraSort.run(new String[] {"only-one"}, cluster)).isEqualTo(2);
    assertThatThrownBy(() -> TeraSort.main(new String[] {"a"}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void misorderedInputFailsValidation() throws Exception {
    List<byte[]> recs = records(reference(500));
    recs.sort(Arrays::compareUnsigned);
    // Within a file: swap two neighbours. Across files: the second file starts below the first.
    byte[] swapped = recs.get(101);
    recs.set(101, recs.get(100));
    recs.set(100, swapped);
    Path in = Files.createDirectories(dir.resolve("bad"));
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    recs.subList(0, 300).forEach(first::writeBytes);
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    recs.subList(250, 500).forEach(second::writeBytes);
    Files.write(in.resolve("part-r-00000"), first.toByteArray());
    Files.write(in.resolve("part-r-00001"), second.toByteArray());

    Path report = dir.resolve("bad-report");
    int exit = TeraValidate.run(new String[] {in.toString(), report.toString()}, cluster);
    assertThat(exit).isEqualTo(1);
    TeraValidate.Report r = TeraValidate.readReport(report);
    List<byte[]> written = new ArrayList<>(recs.subList(0, 300));
    written.addAll(recs.subList(250, 500));
    assertThat(r.checksum()).isEqualTo(crcSumHex(written));
    assertThat(r.errors()).hasSize(2);
    assertThat(r.errors()).anySatisfy(e -> assertThat(e)
        .startsWith("misorder in part-r-00000 at offset 10100: key "
            + TeraRecords.hex(Arrays.copyOf(recs.get(101), 10))));
    assertThat(r.errors()).anySatisfy(e -> assertThat(e)
        .startsWith("bad key partitioning: part-r-00000:end key "
            + TeraRecords.hex(Arrays.copyOf(recs.get(299), 10))));
  }
}
