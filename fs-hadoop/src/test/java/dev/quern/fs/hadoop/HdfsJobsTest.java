package dev.quern.fs.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.TextInputFormat;
import dev.quern.examples.LongSumReducer;
import dev.quern.examples.wordcount.TokenizerMapper;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.commit.SuccessFile;
import dev.quern.master.local.LocalCluster;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs and the output commit against a real HDFS (one MiniDFSCluster of two DataNodes for the
 * class): WordCount HDFS to HDFS, HDFS to local and local to HDFS against an independent count;
 * the committer's guarantees; clear errors for a missing path and an unreachable NameNode.
 */
@ExtendWith(Seeds.class)
class HdfsJobsTest {
  /** 4 KiB blocks: the test inputs span several blocks, so several splits with hosts. */
  private static final Map<String, String> SMALL_BLOCKS = Map.of("quern.hadoop.dfs.blocksize",
      "4096");
  private static MiniHdfs hdfs;
  private static LocalCluster engine;

  @BeforeAll
  static void start() throws IOException {
    hdfs = new MiniHdfs("HdfsJobsTest", 2);
    engine = LocalCluster.start(2);
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close();
    }
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private static FileSystem fs() throws IOException {
    return FileSystems.get(hdfs.uri, Configuration.of(SMALL_BLOCKS));
  }

  /** Writes seeded text of {@code lines} lines to a file, returns the independent word count. */
  private static Map<String, Long> writeText(OutputStream out, Random rnd, int lines)
      throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    String[] words = {"quern", "hdfs", "block", "split", "map", "reduce", "commit", "x", "ÿz"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      int n = rnd.nextInt(8);
      for (int j = 0; j < n; j++) {
        String w = words[rnd.nextInt(words.length)] + rnd.nextInt(20);
        sb.append(j == 0 ? "" : rnd.nextBoolean() ? " " : "\t").append(w);
        counts.merge(w, 1L, Long::sum);
      }
      sb.append('\n');
    }
    try (out) {
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return counts;
  }

  private static Map<String, Long> readCounts(FileSystem fs, String dir) throws IOException {
    Map<String, Long> got = new TreeMap<>();
    for (FileStatus s : fs.list(dir)) {
      if (!s.name().startsWith("part-")) {
        continue;
      }
      try (InputStream in = fs.open(s.path(), 0)) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            String[] kv = line.split("\t");
            assertThat(got.put(kv[0], Long.parseLong(kv[1]))).as("word %s twice", kv[0]).isNull();
          }
        }
      }
    }
    return got;
  }

  private static JobStatus run(Job job) throws InterruptedException {
    JobStatus status = job.submit(engine).awaitCompletion(Duration.ofMinutes(2));
    assertThat(status.succeeded()).as("%s", status.failure()).isTrue();
    return status;
  }

  /** WordCount as the example builds it, with extra configuration entries. */
  private static Job wordCount(String in, String out, Map<String, String> conf) {
    return Job.builder("wordcount").input(in).output(out).mapper(TokenizerMapper.class)
        .combiner(LongSumReducer.class).reducer(LongSumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(2).configure(conf).build();
  }

  private static Job wordCount(String in, String out) {
    return wordCount(in, out, SMALL_BLOCKS);
  }

  @Test
  void wordCountFromHdfsToHdfs(Seed seed) throws Exception {
    FileSystem fs = fs();
    String in = hdfs.uri + "/wc/in";
    Map<String, Long> expected = new TreeMap<>();
    for (int f = 0; f < 3; f++) {
      writeText(fs.create(in + "/f" + f + ".txt"), new Random(seed.derive(f)), 800)
          .forEach((k, v) -> expected.merge(k, v, Long::sum));
    }
    // Splits follow the 4 KiB blocks and name the DataNodes' host.
    List<InputSplit> splits = new TextInputFormat().splits(List.of(in),
        Configuration.of(SMALL_BLOCKS));
    assertThat(splits.size()).isGreaterThan(6);
    for (InputSplit s : splits) {
      FileSplit f = (FileSplit) s;
      assertThat(f.path()).startsWith(hdfs.uri + "/wc/in/");
      assertThat(f.hosts()).isNotEmpty();
      assertThat(f.length()).isLessThanOrEqualTo(4096 + 410);
    }

    String out = hdfs.uri + "/wc/out";
    run(wordCount(in, out));

    assertThat(readCounts(fs, out)).isEqualTo(expected);
    assertThat(fs.list(out)).extracting(FileStatus::name)
        .containsExactly("_SUCCESS", "part-r-00000", "part-r-00001");
    SuccessFile success = JobCommitter.readSuccess(out + "/_SUCCESS", Configuration.empty());
    assertThat(success.name()).isEqualTo("wordcount");
  }

  @Test
  void hdfsToLocalAndLocalToHdfs(Seed seed, @TempDir Path dir) throws Exception {
    FileSystem fs = fs();
    String in = hdfs.uri + "/mixed/in.txt";
    Map<String, Long> expected = writeText(fs.create(in), seed.javaRandom(), 1500);

    Path localOut = dir.resolve("out");
    run(wordCount(in, localOut.toString()));
    Map<String, Long> local = readCounts(FileSystems.get(localOut.toString(),
        Configuration.empty()), localOut.toString());
    assertThat(local).isEqualTo(expected);
    assertThat(Files.exists(localOut.resolve("_SUCCESS"))).isTrue();
    assertThat(Files.exists(localOut.resolve("_temporary"))).isFalse();

    // And back: the local output, as input, counted again into HDFS (file: URI this time).
    String hdfsOut = hdfs.uri + "/mixed/out";
    Path localIn = dir.resolve("in.txt");
    Files.write(localIn, fs.open(in, 0).readAllBytes());
    run(wordCount(localIn.toUri().toString(), hdfsOut));
    assertThat(readCounts(fs, hdfsOut)).isEqualTo(expected);
  }

  @Test
  void commitOnHdfsPromotesOnlyTheGrantedAttempts() throws Exception {
    FileSystem fs = fs();
    String out = hdfs.uri + "/commit/out";
    JobCommitter.setupJob(out, Configuration.empty());
    String tmp = out + "/_temporary";
    assertThat(fs.status(tmp).directory()).isTrue();
    // Two attempts of reduce 0: attempt 1 held the grant, was declared lost and still committed
    // (a zombie) after attempt 2 committed and the book recorded it; attempt 3 lost the grant and
    // its directory is still there, as a worker that died before it could delete it leaves it.
    write(fs, tmp + "/r-00000_1/part-r-00000", "zombie\n");
    write(fs, tmp + "/r-00000_1/only-the-zombie", "z\n");
    write(fs, tmp + "/r-00000_2/part-r-00000", "winner\n");
    write(fs, tmp + "/r-00000_3/part-r-00000", "loser\n");
    write(fs, tmp + "/r-00001_1/part-r-00001", "other\n");
    fs.mkdirs(tmp + "/committed");
    fs.rename(tmp + "/r-00000_2", tmp + "/committed/r-00000_2");
    fs.rename(tmp + "/r-00001_1", tmp + "/committed/r-00001_1");
    fs.rename(tmp + "/r-00000_1", tmp + "/committed/r-00000_1");
    // A second rename onto a committed dir is refused, never nested inside it.
    assertThatThrownBy(() -> fs.rename(tmp + "/r-00000_3", tmp + "/committed/r-00000_2"))
        .hasMessageContaining("committed/r-00000_2");

    SuccessFile success = new SuccessFile("job-1", "t", "u", 1, 2, 3, Map.of());
    Map<String, String> ofRecord = Map.of("r-00000", "r-00000_2", "r-00001", "r-00001_1");
    JobCommitter.commitJob("job-1", out, null, ofRecord, success);
    // Run again, as a new leader does after a crash during the commit: nothing changes.
    JobCommitter.commitJob("job-1", out, null, ofRecord, success);

    assertThat(fs.list(out)).extracting(FileStatus::name)
        .containsExactly("_SUCCESS", "part-r-00000", "part-r-00001");
    assertThat(read(fs, out + "/part-r-00000")).isEqualTo("winner\n");
    assertThat(JobCommitter.readSuccess(out + "/_SUCCESS", Configuration.empty()))
        .isEqualTo(success);
  }

  @Test
  void twoTasksWritingOneNameFailTheCommitWithoutPartialOutput() throws Exception {
    FileSystem fs = fs();
    String out = hdfs.uri + "/clash/out";
    String committed = out + "/_temporary/committed";
    write(fs, committed + "/m-00000/part", "a\n");
    write(fs, committed + "/m-00001/part", "b\n");
    assertThatThrownBy(() -> JobCommitter.commitJob(out, new SuccessFile("j", "n", "u", 0, 0, 0,
        Map.of()), Configuration.empty())).hasMessageContaining("two tasks wrote")
        .hasMessageContaining(out + "/part");
    JobCommitter.abortJob(out, Configuration.empty());
    assertThat(fs.list(out)).isEmpty();
  }

  @Test
  void theJobsHadoopSettingsReachItsCommitOnTheMaster(Seed seed) throws Exception {
    FileSystem fs = fs();
    String in = hdfs.uri + "/settings/in.txt";
    Map<String, Long> expected = writeText(fs.create(in), seed.javaRandom(), 600);
    // The output names no NameNode: only the job's quern.hadoop.fs.defaultFS says which, so
    // the master's setup and commit (and every task) must open it with the job's settings.
    String out = "hdfs:///settings/out";
    run(wordCount(in, out, Map.of(
        "quern.hadoop.fs.defaultFS", hdfs.uri,
        "quern.hadoop.dfs.replication", "1")));
    assertThat(readCounts(fs, hdfs.uri + "/settings/out")).isEqualTo(expected);
    // _SUCCESS is written by the master's job commit; the part files by the workers. Hadoop's
    // default replication is 3: 1 shows the job's setting reached each of them.
    var client = hdfs.cluster.getFileSystem();
    for (String name : new String[] {"_SUCCESS", "part-r-00000", "part-r-00001"}) {
      assertThat(client.getFileStatus(new org.apache.hadoop.fs.Path("/settings/out/" + name))
          .getReplication()).as(name).isEqualTo((short) 1);
    }
    assertThat(fs.exists(hdfs.uri + "/settings/out/_temporary")).isFalse();
  }

  @Test
  void theManifestCommitterOnHdfsGivesTheSameOutput(Seed seed) throws Exception {
    FileSystem fs = fs();
    String in = hdfs.uri + "/manifest/in.txt";
    Map<String, Long> expected = writeText(fs.create(in), seed.javaRandom(), 1200);
    String out = hdfs.uri + "/manifest/out";
    Map<String, String> conf = new java.util.HashMap<>(SMALL_BLOCKS);
    conf.put(dev.quern.api.commit.OutputCommitters.KEY, "manifest");
    run(wordCount(in, out, conf));
    assertThat(readCounts(fs, out)).isEqualTo(expected);
    assertThat(fs.list(out)).extracting(FileStatus::name)
        .containsExactly("_SUCCESS", "part-r-00000", "part-r-00001");
  }

  @Test
  void missingHdfsInputFailsTheSubmissionNamingThePath() {
    String in = hdfs.uri + "/no/such/input";
    assertThatThrownBy(() -> wordCount(in, hdfs.uri + "/no/out").submit(engine))
        .isInstanceOf(JobSubmissionException.class).hasMessageContaining(in);
  }

  @Test
  void existingHdfsOutputFailsTheSubmissionNamingThePath() throws Exception {
    FileSystem fs = fs();
    write(fs, hdfs.uri + "/exists/in.txt", "a b\n");
    fs.mkdirs(hdfs.uri + "/exists/out");
    assertThatThrownBy(() -> wordCount(hdfs.uri + "/exists/in.txt", hdfs.uri + "/exists/out")
        .submit(engine)).isInstanceOf(JobSubmissionException.class)
        .hasMessageContaining(hdfs.uri + "/exists/out");
  }

  @Test
  void unreachableNameNodeFailsNamingThePath() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String in = "hdfs://127.0.0.1:" + port + "/data/in";
    Job job = wordCount(in, "/tmp/never", Map.of(
        "quern.hadoop.ipc.client.connect.max.retries", "0",
        "quern.hadoop.ipc.client.connect.max.retries.on.timeouts", "0"));
    assertThatThrownBy(() -> job.submit(engine)).isInstanceOf(JobSubmissionException.class)
        .hasMessageContaining(in);
  }

  private static void write(FileSystem fs, String path, String text) throws IOException {
    try (OutputStream o = fs.create(path)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(FileSystem fs, String path) throws IOException {
    try (InputStream in = fs.open(path, 0)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
