package dev.quern.formats.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeds.class)
class ParquetFormatsTest {
  @TempDir Path dir;

  static final Schema ADDRESS = SchemaBuilder.record("Address").namespace("test").fields()
      .requiredString("city").optionalInt("zip").endRecord();

  static final Schema ALL = SchemaBuilder.record("Everything").namespace("test").fields()
      .requiredBoolean("flag")
      .requiredInt("i")
      .requiredLong("id")
      .requiredFloat("f")
      .requiredDouble("d")
      .requiredString("name")
      .requiredBytes("blob")
      .optionalString("maybe")
      .name("address").type(ADDRESS).noDefault()
      .name("tags").type().array().items().stringType().noDefault()
      .name("scores").type().map().values().longType().noDefault()
      .name("friends").type().array().items(ADDRESS).noDefault()
      .endRecord();

  static GenericRecord record(int n, SplittableRandom rnd) {
    List<String> tags = new ArrayList<>();
    for (int t = 0; t < n % 4; t++) {
      tags.add("t" + rnd.nextInt(100));
    }
    Map<String, Long> scores = new LinkedHashMap<>();
    for (int s = 0; s < n % 3; s++) {
      scores.put("s" + s, rnd.nextLong());
    }
    GenericRecord home = new GenericRecordBuilder(ADDRESS).set("city", "c" + n)
        .set("zip", n % 5 == 0 ? null : n * 3).build();
    byte[] blob = new byte[n % 9];
    rnd.nextBytes(blob);
    return new GenericRecordBuilder(ALL)
        .set("flag", n % 2 == 0)
        .set("i", rnd.nextInt())
        .set("id", (long) n)
        .set("f", rnd.nextFloat())
        .set("d", rnd.nextGaussian())
        .set("name", "name-\u00e9-" + n)
        .set("blob", ByteBuffer.wrap(blob))
        .set("maybe", n % 3 == 0 ? null : "m" + n)
        .set("address", home)
        .set("tags", tags)
        .set("scores", scores)
        .set("friends", n % 4 == 0 ? List.of() : List.of(home, home))
        .build();
  }

  static List<GenericRecord> records(int count, Seed seed) {
    SplittableRandom rnd = seed.random();
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(record(i, rnd));
    }
    return out;
  }

  /** Avro's JSON rendering: equal for String and Utf8, and shows every field. */
  static List<String> render(List<GenericRecord> records) {
    return records.stream().map(r -> GenericData.get().toString(r)).toList();
  }

  static List<GenericRecord> readWithParquetAvro(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
        new LocalInputFile(file)).withDataModel(GenericData.get()).build()) {
      for (GenericRecord g = r.read(); g != null; g = r.read()) {
        out.add(g);
      }
    }
    return out;
  }

  Path writeWithParquetAvro(String name, List<GenericRecord> records, long rowGroupSize)
      throws IOException {
    return writeRecords(dir.resolve(name), records, rowGroupSize);
  }

  static Path writeRecords(Path file, List<GenericRecord> records, long rowGroupSize)
      throws IOException {
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
            new LocalOutputFile(file))
        .withSchema(records.get(0).getSchema())
        .withDataModel(GenericData.get())
        .withRowGroupSize(rowGroupSize)
        .withPageSize(4096)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .build()) {
      for (GenericRecord g : records) {
        w.write(g);
      }
    }
    return file;
  }

  /** The codec of every column chunk of every row group in the file's footer. */
  static Set<CompressionCodecName> codecs(Path file) throws IOException {
    Set<CompressionCodecName> codecs = new TreeSet<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      assertThat(r.getFooter().getBlocks()).as("row groups of %s", file).isNotEmpty();
      for (BlockMetaData block : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          codecs.add(column.getCodec());
        }
      }
    }
    return codecs;
  }

  /** Every record of every split, keyed by row number; fails on a row read twice. */
  static Map<Long, GenericRecord> readAll(List<String> inputs, Configuration conf)
      throws IOException {
    ParquetInputFormat f = new ParquetInputFormat();
    Map<Long, GenericRecord> rows = new HashMap<>();
    for (InputSplit s : f.splits(inputs, conf)) {
      try (RecordReader<Long, GenericRecord> r = f.open(s, conf)) {
        while (r.next()) {
          assertThat(rows.put(r.key(), r.value())).as("row %d read twice", r.key()).isNull();
        }
      }
    }
    return rows;
  }

  @Test
  void outputFormatWritesEveryTypeAndCodecReadableByParquetAvro(Seed seed) throws IOException {
    List<GenericRecord> records = records(700, seed);
    for (String codec : List.of("snappy", "zstd", "gzip", "uncompressed", "lz4_raw")) {
      Path work = Files.createDirectories(dir.resolve("work-" + codec));
      Configuration conf = Configuration.of(Map.of(ParquetConfig.SCHEMA, ALL.toString(),
          ParquetConfig.COMPRESSION, codec));
      try (RecordWriter<Object, GenericRecord> w =
          new ParquetOutputFormat<>().open(work, "part-r-00000", conf)) {
        for (GenericRecord g : records) {
          w.write(null, g);
        }
      }
      Path file = work.resolve("part-r-00000.parquet");
      assertThat(render(readWithParquetAvro(file))).as(codec).isEqualTo(render(records));
      assertThat(codecs(file)).as("codecs of every column chunk")
          .containsExactly(CompressionCodecName.valueOf(codec.toUpperCase(Locale.ROOT)));
      // And our input format reads it back too, keyed by row number.
      Map<Long, GenericRecord> back = readAll(List.of(work.toString()), Configuration.empty());
      assertThat(back).hasSize(records.size());
      for (int i = 0; i < records.size(); i++) {
        assertThat(GenericData.get().toString(back.get((long) i)))
            .isEqualTo(GenericData.get().toString(records.get(i)));
      }
    }
  }

  @Test
  void splitsByRowGroupReadEveryRowOnce(Seed seed) throws IOException {
    List<GenericRecord> records = records(2000, seed);
    Path file = writeWithParquetAvro("many-groups.parquet", records, 24 << 10);
    List<Long> groupBytes = new ArrayList<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      r.getFooter().getBlocks().forEach(b -> groupBytes.add(b.getCompressedSize()));
    }
    int groups = groupBytes.size();
    assertThat(groups).isGreaterThan(4);
    // One group per split, several groups per split (more than one split), the whole file.
    assertThat(plan(groupBytes, 1)).hasSize(groups);
    assertThat(plan(groupBytes, 60 << 10).size()).isStrictlyBetween(1, groups);
    assertThat(plan(groupBytes, 64 << 20)).hasSize(1);
    ParquetInputFormat f = new ParquetInputFormat();
    for (String splitSize : List.of("1", "60k", "64m")) {
      Configuration conf = Configuration.of(Map.of(FileInputFormat.SPLIT_SIZE, splitSize));
      assertThat(f.splits(List.of(file.toString()), conf)).as("split size %s", splitSize)
          .map(s -> (ParquetSplit) s).map(s -> s.firstRowGroup() + "+" + s.rowGroups())
          .isEqualTo(plan(groupBytes, Sizes.parse("size", splitSize)));
      Map<Long, GenericRecord> rows = readAll(List.of(file.toString()), conf);
      assertThat(rows).as("split size %s", splitSize).hasSize(records.size());
      for (int i = 0; i < records.size(); i++) {
        assertThat(GenericData.get().toString(rows.get((long) i))).as("row %d", i)
            .isEqualTo(GenericData.get().toString(records.get(i)));
      }
    }
  }

  /**
   * The splits the input format documents, as "first group+groups": whole consecutive row groups
   * while their compressed bytes fit in {@code limit}, and at least one group each.
   */
  private static List<String> plan(List<Long> groupBytes, long limit) {
    List<String> splits = new ArrayList<>();
    int first = 0;
    while (first < groupBytes.size()) {
      int next = first + 1;
      long bytes = groupBytes.get(first);
      while (next < groupBytes.size() && bytes + groupBytes.get(next) <= limit) {
        bytes += groupBytes.get(next++);
      }
      splits.add(first + "+" + (next - first));
      first = next;
    }
    return splits;
  }

  @Test
  void projectionReadsOnlyTheNamedColumns(Seed seed) throws IOException {
    List<GenericRecord> records = records(300, seed);
    Path file = writeWithParquetAvro("proj.parquet", records, 1 << 20);
    Configuration conf = Configuration.of(Map.of(ParquetConfig.COLUMNS, "name, id,address"));
    Map<Long, GenericRecord> rows = readAll(List.of(file.toString()), conf);
    assertThat(rows).hasSize(300);
    GenericRecord r = rows.get(17L);
    assertThat(r.getSchema().getFields()).extracting(Schema.Field::name)
        .containsExactly("name", "id", "address");
    assertThat(r.get("id")).isEqualTo(17L);
    assertThat(r.get("name").toString()).isEqualTo("name-\u00e9-17");
    assertThat(((GenericRecord) r.get("address")).get("city").toString()).isEqualTo("c17");

    Configuration bad = Configuration.of(Map.of(ParquetConfig.COLUMNS, "id,nope"));
    assertThatThrownBy(() -> readAll(List.of(file.toString()), bad))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Parquet file " + file + " has no column 'nope'");
  }

  @Test
  void fileThatIsNotParquetFailsNamingIt() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.parquet"), "just some text, long enough\n");
    assertThatThrownBy(() -> new ParquetInputFormat().splits(List.of(text.toString()),
        Configuration.empty()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("file " + text + " is not a readable Parquet file");
  }

  @Test
  void fileWithAnotherSchemaThanExpectedFailsNamingIt(Seed seed) throws IOException {
    List<GenericRecord> records = records(50, seed);
    Path file = writeWithParquetAvro("other.parquet", records, 1 << 20);
    Schema expected = SchemaBuilder.record("Everything").namespace("test").fields()
        .requiredLong("id").requiredString("country").endRecord();
    Configuration conf = Configuration.of(Map.of(ParquetConfig.EXPECTED_SCHEMA,
        expected.toString()));
    assertThatThrownBy(() -> readAll(List.of(file.toString()), conf))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Parquet file " + file + " does not match the expected schema")
        .hasMessageContaining("country");

    // A compatible expectation (a subset, and a new field with a default) reads fine.
    Schema subset = SchemaBuilder.record("Everything").namespace("test").fields()
        .requiredLong("id").name("country").type().stringType().stringDefault("NL")
        .endRecord();
    Map<Long, GenericRecord> rows = readAll(List.of(file.toString()),
        Configuration.of(Map.of(ParquetConfig.EXPECTED_SCHEMA, subset.toString())));
    assertThat(rows).hasSize(50);
    assertThat(rows.get(9L).get("id")).isEqualTo(9L);
    assertThat(rows.get(9L).get("country").toString()).isEqualTo("NL");
  }

  @Test
  void avroBytesCarriesRecordsThroughByteArrays(Seed seed) {
    AvroBytes avro = new AvroBytes(ALL);
    for (GenericRecord g : records(50, seed)) {
      assertThat(GenericData.get().toString(avro.decode(avro.encode(g))))
          .isEqualTo(GenericData.get().toString(g));
    }
  }

  @Test
  void outputFormatNeedsASchema() {
    assertThatThrownBy(() -> new ParquetOutputFormat<>().open(dir, "x", Configuration.empty()))
        .hasMessageContaining(ParquetConfig.SCHEMA);
    Configuration conf = Configuration.of(Map.of(ParquetConfig.SCHEMA, ALL.toString(),
        ParquetConfig.COMPRESSION, "brotli-ish"));
    assertThatThrownBy(() -> new ParquetOutputFormat<>().open(dir, "y", conf))
        .hasMessageContaining(ParquetConfig.COMPRESSION);
  }
}
