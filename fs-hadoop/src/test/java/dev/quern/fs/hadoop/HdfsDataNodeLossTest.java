package dev.quern.fs.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.examples.LongSumReducer;
import dev.quern.master.local.LocalCluster;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A DataNode stops while a job reads its input (three DataNodes, every block on two of them): the
 * reads go to the other replica and the job's output is still exact.
 */
@ExtendWith(Seeds.class)
class HdfsDataNodeLossTest {
  private static MiniHdfs hdfs;
  private static LocalCluster engine;

  /** Maps started; the maps wait until the DataNode is down (the test counts it down). */
  static final AtomicInteger STARTED = new AtomicInteger();
  static volatile CountDownLatch dataNodeDown = new CountDownLatch(1);

  /** Word count's mapper that, once per task, waits until the test stopped a DataNode. */
  public static class WaitingWordMapper implements Mapper<Long, String, String, Long> {
    private boolean waited;

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      if (!waited) {
        waited = true;
        STARTED.incrementAndGet();
        try {
          if (!dataNodeDown.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the test never stopped the DataNode");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      for (String w : line.split("\\s+")) {
        if (!w.isEmpty()) {
          ctx.emit(w, 1L);
        }
      }
    }
  }

  @BeforeAll
  static void start() throws IOException {
    hdfs = new MiniHdfs("HdfsDataNodeLossTest", 3);
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

  @Test
  void aJobSucceedsFromReplicasWhenADataNodeStopsDuringIt(Seed seed) throws Exception {
    Map<String, String> conf = Map.of("quern.hadoop.dfs.blocksize", "65536",
        "quern.hadoop.dfs.replication", "2");
    FileSystem fs = FileSystems.get(hdfs.uri, Configuration.of(conf));
    String in = hdfs.uri + "/loss/in.txt";
    Map<String, Long> expected = new TreeMap<>();
    Random rnd = seed.javaRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 120_000; i++) {
      String w = "w" + rnd.nextInt(500);
      sb.append(w).append(i % 8 == 7 ? '\n' : ' ');
      expected.merge(w, 1L, Long::sum);
    }
    try (OutputStream o = fs.create(in)) {
      o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    DistributedFileSystem dfs = hdfs.cluster.getFileSystem();
    // DataNodes report their new replicas to the NameNode a moment after the write: wait for both.
    Await.until(Duration.ofSeconds(60), "every block of the input on 2 DataNodes", () -> {
      try {
        for (BlockLocation b : dfs.getFileBlockLocations(new Path("/loss/in.txt"), 0,
            Long.MAX_VALUE)) {
          if (b.getNames().length < 2) {
            return false;
          }
        }
        return true;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    BlockLocation[] blocks = dfs.getFileBlockLocations(new Path("/loss/in.txt"), 0,
        Long.MAX_VALUE);
    assertThat(blocks.length).isGreaterThan(3);
    for (BlockLocation b : blocks) {
      assertThat(b.getNames()).as("replicas of block at %d", b.getOffset()).hasSize(2);
    }

    STARTED.set(0);
    dataNodeDown = new CountDownLatch(1);
    String out = hdfs.uri + "/loss/out";
    JobHandle job = Job.builder("wc-loss").input(in).output(out)
        .mapper(WaitingWordMapper.class).combiner(LongSumReducer.class)
        .reducer(LongSumReducer.class).mapOutput(String.class, Long.class).reduceTasks(2)
        .configure(conf).build().submit(engine);
    // Both slots hold a map that has opened its split (the stream is on some DataNode).
    Await.until(Duration.ofMinutes(2), "two maps started", () -> STARTED.get() >= 2);
    // The DataNode of the first block's first replica: a map is reading from it right now.
    String victim = blocks[0].getNames()[0];
    int index = -1;
    for (int i = 0; i < hdfs.cluster.getDataNodes().size(); i++) {
      if (hdfs.cluster.getDataNodes().get(i).getXferAddress().toString().contains(victim)) {
        index = i;
      }
    }
    assertThat(index).as("DataNode %s", victim).isNotNegative();
    assertThat(hdfs.cluster.stopDataNode(index)).isNotNull();
    dataNodeDown.countDown();

    JobStatus status = job.awaitCompletion(Duration.ofMinutes(4));
    assertThat(status.succeeded()).as("%s", status.failure()).isTrue();
    Map<String, Long> got = new TreeMap<>();
    for (var s : fs.list(out)) {
      if (s.name().startsWith("part-")) {
        try (InputStream i = fs.open(s.path(), 0)) {
          for (String line : new String(i.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.split("\t");
            got.put(kv[0], Long.parseLong(kv[1]));
          }
        }
      }
    }
    assertThat(got).isEqualTo(expected);
  }
}
