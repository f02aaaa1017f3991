package dev.quern.formats.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.api.io.FileInputFormat;
import dev.quern.master.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet in, Parquet out, through a LocalCluster's shuffle (needs the engine). */
class ParquetJobEndToEndTest {
  @TempDir Path dir;

  static final Schema SALE = SchemaBuilder.record("Sale").namespace("test").fields()
      .requiredLong("id").requiredString("region").requiredLong("cents")
      .optionalString("note").endRecord();

  static final Schema TOTAL = SchemaBuilder.record("Total").namespace("test").fields()
      .requiredString("region").requiredLong("cents").requiredLong("sales").endRecord();

  /** Turns the record into the job's own types: GenericRecord does not travel through Kryo. */
  public static class SaleMapper implements Mapper<Long, GenericRecord, String, Long> {
    @Override
    public void map(Long row, GenericRecord sale, Context<String, Long> ctx) {
      ctx.emit(sale.get("region").toString(), (Long) sale.get("cents"));
    }
  }

  public static class TotalReducer implements Reducer<String, Long, String, GenericRecord> {
    private Schema schema;

    @Override
    public void setup(Context<String, GenericRecord> ctx) {
      schema = new Schema.Parser().parse(ctx.configuration().require(ParquetConfig.SCHEMA));
    }

    @Override
    public void reduce(String region, Iterable<Long> cents, Context<String, GenericRecord> ctx) {
      long sum = 0;
      long n = 0;
      for (long c : cents) {
        sum += c;
        n++;
      }
      ctx.emit(region, new GenericRecordBuilder(schema).set("region", region).set("cents", sum)
          .set("sales", n).build());
    }
  }

  @Test
  void aggregatesParquetIntoParquet() throws Exception {
    List<GenericRecord> sales = new ArrayList<>();
    Map<String, long[]> expected = new TreeMap<>();
    String[] regions = {"north", "south", "east", "west", "m\u00fcnster"};
    for (int i = 0; i < 4000; i++) {
      String region = regions[(i * 7) % regions.length];
      long cents = (i * 7919L) % 10_000;
      sales.add(new GenericRecordBuilder(SALE).set("id", (long) i).set("region", region)
          .set("cents", cents).set("note", i % 3 == 0 ? null : "n" + i).build());
      long[] e = expected.computeIfAbsent(region, r -> new long[2]);
      e[0] += cents;
      e[1]++;
    }
    Path in = Files.createDirectories(dir.resolve("in"));
    ParquetFormatsTest.writeRecords(in.resolve("a.parquet"), sales.subList(0, 2500), 24 << 10);
    ParquetFormatsTest.writeRecords(in.resolve("b.parquet"), sales.subList(2500, 4000), 24 << 10);

    Path out = dir.resolve("out");
    Job job = Job.builder("parquet-totals")
        .input(in.toString()).output(out.toString())
        .inputFormat(ParquetInputFormat.class)
        .outputFormat(ParquetOutputFormat.class)
        .mapper(SaleMapper.class).reducer(TotalReducer.class)
        .mapOutput(String.class, Long.class).output(String.class, GenericRecord.class)
        .reduceTasks(2)
        .set(FileInputFormat.SPLIT_SIZE, "20k")
        .set(ParquetConfig.COLUMNS, "region,cents")
        .set(ParquetConfig.SCHEMA, TOTAL.toString())
        .set(ParquetConfig.COMPRESSION, "zstd")
        .build();
    try (LocalCluster cluster = LocalCluster.start(2)) {
      assertThat(new ParquetInputFormat().splits(List.of(in.toString()), job.spec()
          .configuration())).hasSizeGreaterThan(2);
      JobStatus status = job.submit(cluster).awaitCompletion(Duration.ofMinutes(3));
      assertThat(status.succeeded()).as("%s", status.failure()).isTrue();
    }
    Map<String, long[]> got = new TreeMap<>();
    for (Path part : FileInputFormat.listFiles(List.of(out.toString()))) {
      assertThat(part.getFileName().toString()).endsWith(".parquet");
      for (GenericRecord r : ParquetFormatsTest.readWithParquetAvro(part)) {
        got.put(r.get("region").toString(), new long[] {(Long) r.get("cents"),
            (Long) r.get("sales")});
      }
    }
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((region, e) -> assertThat(got.get(region)).as(region).containsExactly(e));
  }
}
