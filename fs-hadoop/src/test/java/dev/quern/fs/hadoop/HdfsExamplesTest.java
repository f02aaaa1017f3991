package dev.quern.fs.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import dev.quern.api.Context;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.examples.invertedindex.InvertedIndex;
import dev.quern.examples.invertedindex.Words;
import dev.quern.examples.pagerank.PageRank;
import dev.quern.examples.terasort.TeraGen;
import dev.quern.examples.terasort.TeraSort;
import dev.quern.examples.terasort.TeraValidate;
import dev.quern.formats.parquet.ParquetConfig;
import dev.quern.formats.parquet.ParquetInputFormat;
import dev.quern.formats.parquet.ParquetOutputFormat;
import dev.quern.formats.parquet.ParquetSplit;
import dev.quern.master.local.LocalCluster;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The examples and formats that chain jobs or read positionally, with HDFS input and output
 * (one MiniDFSCluster of two DataNodes for the class): TeraGen, TeraSort and TeraValidate; Parquet
 * written and read by parquet-avro itself on the other side; InvertedIndex; PageRank's chained
 * jobs over binary files. Every result is checked against an independent computation, reading
 * HDFS through Hadoop's own client.
 */
@ExtendWith(Seeds.class)
class HdfsExamplesTest {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  /** 64 KiB blocks: inputs of a few hundred KiB span several blocks, so several splits. */
  private static final Map<String, String> SMALL_BLOCKS = Map.of("quern.hadoop.dfs.blocksize",
      "65536");
  private static MiniHdfs hdfs;
  private static LocalCluster engine;
  private static JobSubmitter previous;
  private static DistributedFileSystem dfs;

  @BeforeAll
  static void start() throws IOException {
    hdfs = new MiniHdfs("HdfsExamplesTest", 2);
    dfs = hdfs.cluster.getFileSystem();
    engine = LocalCluster.start(2);
    previous = JobSubmitter.install(engine); // the example drivers submit through it
  }

  @AfterAll
  static void stop() {
    JobSubmitter.install(previous);
    if (engine != null) {
      engine.close();
    }
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private static JobStatus run(Job job) throws InterruptedException {
    JobStatus status = job.submit(engine).awaitCompletion(LIMIT);
    assertThat(status.succeeded()).as("%s", status.failure()).isTrue();
    return status;
  }

  /** The bytes of every visible file under {@code dir}, in name order (Hadoop's client). */
  private static byte[] concat(String dir) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (FileStatus f : sorted(dir)) {
      try (InputStream in = dfs.open(f.getPath())) {
        all.writeBytes(in.readAllBytes());
      }
    }
    return all.toByteArray();
  }

  private static List<FileStatus> sorted(String dir) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus f : dfs.listStatus(new Path(dir))) {
      String n = f.getPath().getName();
      if (f.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
        files.add(f);
      }
    }
    files.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
    return files;
  }

  private static void write(String path, String text) throws IOException {
    try (OutputStream o = dfs.create(new Path(path), false)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  // ---- TeraSort ------------------------------------------------------------------------------

  @Test
  void teraSortWithHdfsInputAndOutputIsTheSortedInput() throws Exception {
    String in = hdfs.uri + "/tera/in";
    String sortedDir = hdfs.uri + "/tera/sorted";
    long rows = 12_000; // 1.2 MB: about 18 blocks of 64 KiB
    JobStatus gen = run(TeraGen.job(rows, 3, in, SMALL_BLOCKS));
    long genChecksum = gen.counters().get("terasort", "checksum");

    // The sampler reads the HDFS input in the driver, the job reads and writes HDFS.
    run(TeraSort.job(in, sortedDir, 3, Map.of(FileInputFormat.SPLIT_SIZE, "100000")));

    // Independently: the output, concatenated in name order, is the input's records sorted by
    // their unsigned 10-byte keys (stable for equal keys is not required: compare whole records).
    byte[] input = concat(in);
    byte[] output = concat(sortedDir);
    assertThat(input.length).isEqualTo(rows * 100);
    assertThat(sorted(sortedDir)).extracting(f -> f.getPath().getName())
        .containsExactly("part-r-00000", "part-r-00001", "part-r-00002");
    List<byte[]> expected = records(input);
    expected.sort(Arrays::compareUnsigned);
    List<byte[]> got = records(output);
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.size(); i++) {
      if (!Arrays.equals(got.get(i), expected.get(i))) {
        throw new AssertionError("record " + i + " of the sorted output differs");
      }
    }
    assertThat(crcSum(output)).isEqualTo(crcSum(input)).isEqualTo(genChecksum);

    // TeraValidate reads the HDFS output too and finds it sorted, with the same checksum.
    String report = hdfs.uri + "/tera/report";
    run(TeraValidate.job(sortedDir, report, Map.of()));
    TeraValidate.Report r = TeraValidate.readReport(report, Configuration.empty());
    assertThat(r.errors()).isEmpty();
    assertThat(r.checksum()).isEqualTo(Long.toHexString(genChecksum));
  }

  private static List<byte[]> records(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += 100) {
      out.add(Arrays.copyOfRange(bytes, i, i + 100));
    }
    return out;
  }

  /** Hadoop's TeraValidate checksum: the sum of every record's CRC32. */
  private static long crcSum(byte[] bytes) {
    long sum = 0;
    CRC32 crc = new CRC32();
    for (int i = 0; i < bytes.length; i += 100) {
      crc.reset();
      crc.update(bytes, i, 100);
      sum += crc.getValue();
    }
    return sum;
  }

  @Test
  void teraSortOfAMissingHdfsInputFailsNamingIt() {
    String in = hdfs.uri + "/tera/none";
    assertThatThrownBy(() -> TeraSort.job(in, hdfs.uri + "/tera/none-out", 2, Map.of()))
        .hasMessageContaining(in);
  }

  // ---- Parquet -------------------------------------------------------------------------------

  static final Schema SALE = SchemaBuilder.record("Sale").namespace("test").fields()
      .requiredLong("id").requiredString("region").requiredLong("cents").endRecord();
  static final Schema TOTAL = SchemaBuilder.record("Total").namespace("test").fields()
      .requiredString("region").requiredLong("cents").requiredLong("sales").endRecord();

  /** The record as the job's own types: GenericRecord does not travel through the shuffle. */
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
  void parquetOnHdfsIsReadAndWrittenAsParquetAvroDoes(Seed seed) throws Exception {
    // Input written by parquet-avro itself through Hadoop's client, small row groups.
    String in = hdfs.uri + "/parquet/in";
    Random rnd = seed.javaRandom();
    String[] regions = {"north", "south", "east", "west", "m\u00fcnster"};
    Map<String, long[]> expected = new TreeMap<>();
    long id = 0;
    for (int f = 0; f < 2; f++) {
      try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
          HadoopOutputFile.fromPath(new Path(in + "/s" + f + ".parquet"), dfs.getConf()))
          .withSchema(SALE).withRowGroupSize(16 << 10).build()) {
        for (int i = 0; i < 3000; i++) {
          String region = regions[rnd.nextInt(regions.length)];
          long cents = rnd.nextInt(100_000);
          w.write(new GenericRecordBuilder(SALE).set("id", id++).set("region", region)
              .set("cents", cents).build());
          long[] e = expected.computeIfAbsent(region, r -> new long[2]);
          e[0] += cents;
          e[1]++;
        }
      }
    }
    Job job = Job.builder("parquet-totals").input(in).output(hdfs.uri + "/parquet/out")
        .inputFormat(ParquetInputFormat.class).outputFormat(ParquetOutputFormat.class)
        .mapper(SaleMapper.class).reducer(TotalReducer.class)
        .mapOutput(String.class, Long.class).output(String.class, GenericRecord.class)
        .reduceTasks(2)
        .set(FileInputFormat.SPLIT_SIZE, "20k")
        .set(ParquetConfig.SCHEMA, TOTAL.toString())
        .build();
    List<InputSplit> splits = new ParquetInputFormat().splits(List.of(in),
        job.spec().configuration());
    assertThat(splits).hasSizeGreaterThan(2).allSatisfy(s -> {
      assertThat(((ParquetSplit) s).path()).startsWith(in + "/");
      assertThat(s.hosts()).containsOnly("127.0.0.1");
    });
    run(job);

    // Read back by parquet-avro through Hadoop's client, not by Quern.
    Map<String, long[]> got = new TreeMap<>();
    List<FileStatus> parts = sorted(hdfs.uri + "/parquet/out");
    assertThat(parts).extracting(f -> f.getPath().getName())
        .containsExactly("part-r-00000.parquet", "part-r-00001.parquet");
    for (FileStatus part : parts) {
      try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
          HadoopInputFile.fromPath(part.getPath(), dfs.getConf())).build()) {
        for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
          assertThat(rec.getSchema()).isEqualTo(TOTAL);
          assertThat(got.put(rec.get("region").toString(),
              new long[] {(Long) rec.get("cents"), (Long) rec.get("sales")})).isNull();
        }
      }
    }
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((region, e) -> assertThat(got.get(region)).as(region).containsExactly(e));
  }

  // ---- InvertedIndex -------------------------------------------------------------------------

  @Test
  void invertedIndexWithHdfsInputAndOutput(Seed seed) throws Exception {
    String in = hdfs.uri + "/index/in";
    Random rnd = seed.javaRandom();
    String[] vocabulary = {"Tide", "out", "moon", "Quern", "grind", "mill", "wheat", "6", "AM",
        "r\u00e9sum\u00e9", "stone"};
    Map<String, TreeSet<String>> expected = new TreeMap<>();
    for (int f = 0; f < 4; f++) {
      String name = "doc" + f + ".txt";
      StringBuilder sb = new StringBuilder();
      for (int line = 0; line < 2000; line++) {
        for (int w = rnd.nextInt(6); w > 0; w--) {
          sb.append(vocabulary[rnd.nextInt(vocabulary.length - f)]).append(rnd.nextBoolean()
              ? ", " : " ");
        }
        sb.append('\n');
      }
      for (String line : sb.toString().split("\n")) {
        for (String word : Words.of(line)) {
          expected.computeIfAbsent(word, k -> new TreeSet<>()).add(name);
        }
      }
      write(in + "/" + name, sb.toString());
    }
    String out = hdfs.uri + "/index/out";
    run(InvertedIndex.job(in, out));

    Map<String, String> got = new TreeMap<>();
    for (String line : new String(concat(out), StandardCharsets.UTF_8).split("\n")) {
      String[] kv = line.split("\t");
      assertThat(got.put(kv[0], kv[1])).as("word %s twice", kv[0]).isNull();
    }
    Map<String, String> want = new TreeMap<>();
    expected.forEach((w, files) -> want.put(w, String.join(",", files)));
    assertThat(got).isEqualTo(want);
  }

  // ---- Grep (two chained jobs) ---------------------------------------------------------------

  @Test
  void grepChainsItsJobsOnHdfs(Seed seed) throws Exception {
    Random rnd = seed.javaRandom();
    String[] words = {"quern", "quench", "quiet", "stone", "mill", "quay"};
    Map<String, Long> expected = new TreeMap<>();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      String w = words[rnd.nextInt(words.length)] + (rnd.nextInt(3) == 0 ? "s" : "");
      sb.append(w).append(i % 7 == 6 ? '\n' : ' ');
      if (w.startsWith("qu")) {
        expected.merge(w, 1L, Long::sum);
      }
    }
    String in = hdfs.uri + "/grep/in.txt";
    write(in, sb.toString());
    String out = hdfs.uri + "/grep/results/out";
    dev.quern.examples.grep.Grep.run(in, out, "\\bqu[a-z]*", 0);

    Map<String, Long> got = new TreeMap<>();
    long previous = Long.MAX_VALUE;
    for (String line : new String(concat(out), StandardCharsets.UTF_8).split("\n")) {
      String[] kv = line.split("\t");
      long n = Long.parseLong(kv[1]);
      assertThat(n).as("sorted by count, descending").isLessThanOrEqualTo(previous);
      previous = n;
      got.put(kv[0], n);
    }
    assertThat(got).isEqualTo(expected);
    assertThat(Arrays.stream(dfs.listStatus(new Path(hdfs.uri + "/grep/results")))
        .map(s -> s.getPath().getName())).containsExactly("out");
  }

  // ---- PageRank (chained jobs over binary files) ---------------------------------------------

  @Test
  void pageRankChainsItsJobsOnHdfs(Seed seed) throws Exception {
    Random rnd = seed.javaRandom();
    List<String[]> edges = new ArrayList<>();
    StringBuilder sb = new StringBuilder("# graph\n");
    for (int i = 0; i < 3000; i++) {
      String src = "n" + rnd.nextInt(300);
      String dst = "n" + rnd.nextInt(330);
      edges.add(new String[] {src, dst});
      sb.append(src).append(' ').append(dst).append('\n');
    }
    String in = hdfs.uri + "/pagerank/edges.txt";
    write(in, sb.toString());
    String out = hdfs.uri + "/pagerank/results/out";
    long nodes = PageRank.run(in, out, 4, Map.of(FileInputFormat.SPLIT_SIZE, "8k"));

    Map<String, Double> expected = powerIteration(edges, 4, 0.85);
    assertThat(nodes).isEqualTo(expected.size());
    Map<String, Double> got = new HashMap<>();
    for (String line : new String(concat(out), StandardCharsets.UTF_8).split("\n")) {
      String[] kv = line.split("\t");
      got.put(kv[0], Double.parseDouble(kv[1]));
    }
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((n, r) -> assertThat(got.get(n)).as(n).isCloseTo(r, within(1e-9)));
    // The state of the chained jobs lived beside the output, on HDFS, and is gone.
    assertThat(Arrays.stream(dfs.listStatus(new Path(hdfs.uri + "/pagerank/results")))
        .map(s -> s.getPath().getName())).containsExactly("out");
  }

  /** PageRank's formula (dangling mass spread evenly), over arrays, in one thread. */
  private static Map<String, Double> powerIteration(List<String[]> edges, int rounds, double d) {
    Map<String, TreeSet<String>> links = new TreeMap<>();
    for (String[] e : edges) {
      links.computeIfAbsent(e[0], k -> new TreeSet<>()).add(e[1]);
      links.computeIfAbsent(e[1], k -> new TreeSet<>());
    }
    List<String> names = new ArrayList<>(links.keySet());
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    int n = names.size();
    double[] rank = new double[n];
    Arrays.fill(rank, 1.0 / n);
    for (int r = 0; r < rounds; r++) {
      double[] next = new double[n];
      double dangling = 0;
      for (int u = 0; u < n; u++) {
        TreeSet<String> out = links.get(names.get(u));
        if (out.isEmpty()) {
          dangling += rank[u];
        }
        for (String v : out) {
          next[index.get(v)] += rank[u] / out.size();
        }
      }
      for (int v = 0; v < n; v++) {
        next[v] = (1 - d) / n + d * (next[v] + dangling / n);
      }
      rank = next;
    }
    Map<String, Double> result = new HashMap<>();
    for (int i = 0; i < n; i++) {
      result.put(names.get(i), rank[i]);
    }
    return result;
  }
}
