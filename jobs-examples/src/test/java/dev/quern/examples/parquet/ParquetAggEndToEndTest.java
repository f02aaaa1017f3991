package dev.quern.examples.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.quern.api.Job;
import dev.quern.api.io.FileInputFormat;
import dev.quern.examples.CurrentLocalCluster;
import dev.quern.examples.Drivers;
import dev.quern.formats.parquet.ParquetInputFormat;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet aggregation on a local cluster with 2 workers, its output read back with
 * parquet-avro and compared with per-user totals computed here over the same input files.
 */
@ExtendWith(Seeds.class)
class ParquetAggEndToEndTest {
  @RegisterExtension static final CurrentLocalCluster CLUSTER = new CurrentLocalCluster(2);

  @TempDir Path dir;


  @Test
  void totalsPerUserMatchAPlainComputationAndAreSnappyParquet(Seed seed) throws Exception {
    Path in = EventSample.write(dir.resolve("in"), seed.value(), 30_000, 3, 150);
    Path out = dir.resolve("out");
    Job job = ParquetAgg.job(in.toString(), out.toString(),
        Map.of(FileInputFormat.SPLIT_SIZE, "1k"));
    assertThat(new ParquetInputFormat().splits(List.of(in.toString()),
        job.spec().configuration()))
        .as("several row groups, so several map tasks").hasSizeGreaterThan(3);

    Drivers.run(job);

    Map<String, double[]> expected = plainTotals(in);
    assertTotals(readTotals(out), expected, "generated events");
    assertThat(expected.values().stream().mapToDouble(e -> e[0]).sum()).isEqualTo(30_000);
  }

  @Test
  void driverAggregatesTheSample() throws Exception {
    Path in = EventSample.write(dir.resolve("in"), EventSample.SEED, 5_000, 2, 40);
    Path out = dir.resolve("out");
    ParquetAgg.main(new String[] {in.toString(), out.toString()});
    assertTotals(readTotals(out), plainTotals(in), "sample seed " + EventSample.SEED);
  }

  /** The totals in the output's part files, checking each is snappy Parquet of USER_TOTAL. */
  private static Map<String, double[]> readTotals(Path out) throws IOException {
    Map<String, double[]> actual = new TreeMap<>();
    List<Path> parts = FileInputFormat.listFiles(List.of(out.toString()));
    assertThat(parts).hasSize(2);
    for (Path part : parts) {
      assertThat(part.getFileName().toString()).endsWith(".parquet");
      assertSnappy(part);
      for (GenericRecord r : read(part)) {
        assertThat(r.getSchema()).isEqualTo(EventSchemas.USER_TOTAL);
        String user = r.get("user").toString();
        assertThat(actual.put(user, new double[] {(Long) r.get("events"),
            (Double) r.get("amount")})).as("user %s twice", user).isNull();
      }
    }
    return actual;
  }

  /** Counts equal; amounts equal up to the rounding of a different summation order. */
  private static void assertTotals(Map<String, double[]> actual, Map<String, double[]> expected,
      String seed) {
    assertThat(actual.keySet()).as(seed).isEqualTo(expected.keySet());
    expected.forEach((user, e) -> {
      assertThat(actual.get(user)[0]).as("events of %s, %s", user, seed).isEqualTo(e[0]);
      assertThat(actual.get(user)[1]).as("amount of %s, %s", user, seed)
          .isCloseTo(e[1], within(1e-6));
    });
  }

  @Test
  void theSampleIsTheSameForTheSameSeed(Seed seed) throws Exception {
    Path a = EventSample.write(dir.resolve("a"), seed.value(), 2_000, 2, 20);
    Path b = EventSample.write(dir.resolve("b"), seed.value(), 2_000, 2, 20);
    assertThat(plainTotals(a)).usingRecursiveComparison().isEqualTo(plainTotals(b));
    assertThat(read(a.resolve("events-00000.parquet"))).hasSize(1_000);
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> ParquetAgg.main(new String[] {"in"}))
        .hasMessage("usage: parquet-agg IN OUT");
  }

  /** Every event read with parquet-avro, all columns, totalled per user in plain Java. */
  private static Map<String, double[]> plainTotals(Path in) throws IOException {
    Map<String, double[]> totals = new TreeMap<>();
    for (Path f : FileInputFormat.listFiles(List.of(in.toString()))) {
      for (GenericRecord r : read(f)) {
        double[] t = totals.computeIfAbsent(r.get("user").toString(), u -> new double[2]);
        t[0]++;
        t[1] += (Double) r.get("amount");
      }
    }
    return totals;
  }

  private static List<GenericRecord> read(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
        new LocalInputFile(file)).withDataModel(GenericData.get()).build()) {
      for (GenericRecord g = r.read(); g != null; g = r.read()) {
        out.add(g);
      }
    }
    return out;
  }

  private static void assertSnappy(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      for (BlockMetaData block : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          assertThat(column.getCodec()).as("%s %s", file, column.getPath())
              .isEqualTo(CompressionCodecName.SNAPPY);
        }
      }
    }
  }
}
