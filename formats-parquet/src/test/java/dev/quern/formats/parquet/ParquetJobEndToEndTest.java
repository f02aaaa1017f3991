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
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
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
    // Both reduce tasks get regions: midlands and islands hash to partition 0, the others to 1.
    String[] regions = {"north", "south", "midlands", "islands", "m\u00fcnster"};
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
    // One file per reduce task, each holding the totals of the regions hashed to it (the default
    // partitioner: hashCode modulo the reduce tasks, as in Hadoop), every column chunk in zstd.
    List<Path> parts = FileInputFormat.listFiles(List.of(out.toString()));
    assertThat(parts).extracting(p -> p.getFileName().toString())
        .containsExactly("part-r-00000.parquet", "part-r-00001.parquet");
    Map<String, long[]> got = new TreeMap<>();
    for (int p = 0; p < parts.size(); p++) {
      Path part = parts.get(p);
      long footerRows = 0;
      try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(part))) {
        List<BlockMetaData> groups = r.getFooter().getBlocks();
        assertThat(groups).as("row groups of %s", part).isNotEmpty();
        for (BlockMetaData group : groups) {
          footerRows += group.getRowCount();
          assertThat(group.getColumns()).as("column chunks of %s", part)
              .extracting(ColumnChunkMetaData::getCodec)
              .hasSize(TOTAL.getFields().size())
              .containsOnly(CompressionCodecName.ZSTD);
        }
      }
      List<String> regionsHere = new ArrayList<>();
      List<GenericRecord> records = ParquetFormatsTest.readWithParquetAvro(part);
      assertThat(records).as("%s", part).hasSize((int) footerRows);
      for (GenericRecord r : records) {
        assertThat(r.getSchema()).isEqualTo(TOTAL);
        String region = r.get("region").toString();
        regionsHere.add(region);
        assertThat(got.put(region, new long[] {(Long) r.get("cents"), (Long) r.get("sales")}))
            .as("region %s written twice", region).isNull();
      }
      int partition = p;
      // In key order: for these keys String order is the engine's UTF-8 byte order.
      assertThat(regionsHere).as("regions in %s", part).containsExactlyElementsOf(
          expected.keySet().stream()
              .filter(g -> (g.hashCode() & Integer.MAX_VALUE) % 2 == partition).toList());
    }
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((region, e) -> assertThat(got.get(region)).as(region).containsExactly(e));
  }
}
