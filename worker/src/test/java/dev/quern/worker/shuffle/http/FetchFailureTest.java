package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.shuffle.FetchConfig;
import dev.quern.worker.shuffle.LocalShuffleSource;
import dev.quern.worker.shuffle.ShuffleFetcher;
import dev.quern.worker.shuffle.http.FakeShuffleServer.Behaviour;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fetches that fail are retried a bounded number of times, then reported as a lost map. */
@ExtendWith(Seeds.class)
class FetchFailureTest {
  private static final int RETRIES = 2;
  private static final int PARTITION = 1;

  @TempDir Path tmp;
  private Path data;
  private SplittableRandom rnd;

  @BeforeEach
  void setUp(Seed seed) throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
    rnd = seed.random();
  }

  private ShuffleFixture fixture(String memory) {
    return new ShuffleFixture(tmp, false, memory, Map.of(FetchConfig.RETRIES,
        Integer.toString(RETRIES), FetchConfig.RETRY_BACKOFF_MS, "5",
        FetchConfig.PARALLEL_COPIES, "3"));
  }

  private List<MapOutputRef> maps(ShuffleFixture fx, int n) throws Exception {
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      refs.add(fx.map(new PipelineTaskRunner("localhost", null), data, rnd, 2000));
    }
    return refs;
  }

  private void assertNoScratchLeft() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("rscratch-r"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @ParameterizedTest(name = "shuffleMemory={0}")
  @ValueSource(strings = {"64m", "0"})
  void aCorruptByteIsRetriedThenReportedLost(String memory) throws Exception {
    ShuffleFixture fx = fixture(memory);
    List<MapOutputRef> local = maps(fx, 3);
    try (ShuffleServer server = ShuffleServer.start("127.0.0.1", 0, data);
        HttpShuffleSource source = new HttpShuffleSource(null)) {
      List<MapOutputRef> refs = new ArrayList<>();
      for (MapOutputRef r : local) {
        MapOutputRef there = new MapOutputRef(r.mapIndex(), r.attempt(), server.address(),
            r.dataFile(), r.indexFile());
        server.register(there);
        refs.add(there);
      }
      List<Path> opened = new CopyOnWriteArrayList<>();
      server.onOpen(opened::add);
      MapOutputRef bad = refs.get(1);
      IndexEntry e = PartitionIndex.read(Path.of(bad.indexFile())).entry(PARTITION);
      try (RandomAccessFile f = new RandomAccessFile(bad.dataFile(), "rw")) {
        long at = e.offset() + e.storedLength() / 3;
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x40);
      }
      assertThatThrownBy(() -> fx.reduce("r", PARTITION, refs, source))
          .isInstanceOfSatisfying(MapOutputLostException.class, ex -> {
            assertThat(ex.output()).isEqualTo(bad);
            assertThat(ex.partition()).isEqualTo(PARTITION);
            assertThat(ex.getMessage()).contains(server.address()).contains("job-0007/m-00001/1")
                .contains("partition " + PARTITION).contains("checksum mismatch")
                .contains("failed " + (RETRIES + 1) + " times");
          });
      assertThat(opened.stream().filter(p -> p.endsWith(Path.of(bad.dataFile()).getFileName())))
          .hasSize(RETRIES + 1);
      assertNoScratchLeft();
    }
  }

  @Test
  void aServerThatDiesMidTransferIsRetriedThenReportedLost() throws Exception {
    ShuffleFixture fx = fixture("64m");
    List<MapOutputRef> local = maps(fx, 1);
    try (FakeShuffleServer dying = new FakeShuffleServer(n -> Behaviour.HALF_THEN_CLOSE);
        HttpShuffleSource source = new HttpShuffleSource(null)) {
      MapOutputRef ref = dying.serve(local.get(0));
      assertThatThrownBy(() -> fx.reduce("r", PARTITION, List.of(ref), source))
          .isInstanceOfSatisfying(MapOutputLostException.class, ex -> {
            assertThat(ex.output()).isEqualTo(ref);
            assertThat(ex.getMessage()).contains(dying.address()).contains("job-0007/m-00000/1")
                .contains("partition " + PARTITION)
                .contains("failed " + (RETRIES + 1) + " times");
            assertThat(ex.getCause()).isNotNull();
          });
      assertThat(dying.requests).hasSize(RETRIES + 1)
          .containsOnly("/shuffle/job-0007/m-00000_1/" + PARTITION);
      assertNoScratchLeft();
    }
  }

  @Test
  void aTransferThatBreaksOnceSucceedsOnRetry() throws Exception {
    ShuffleFixture fx = fixture("0");
    List<MapOutputRef> local = maps(fx, 2);
    List<String> expected = fx.reduce("local", PARTITION, local, new LocalShuffleSource());
    try (FakeShuffleServer flaky = new FakeShuffleServer(
            n -> n == 0 ? Behaviour.HALF_THEN_CLOSE : Behaviour.FULL);
        HttpShuffleSource source = new HttpShuffleSource(null)) {
      List<MapOutputRef> refs = local.stream().map(flaky::serve).toList();
      assertThat(fx.reduce("r", PARTITION, refs, source)).isEqualTo(expected).isNotEmpty();
      assertThat(flaky.requests).hasSize(3);
    }
  }

  @Test
  void aStalledTransferIsCutRetriedThenReportedLost() throws Exception {
    ShuffleFixture fx = fixture("64m");
    List<MapOutputRef> local = maps(fx, 1);
    try (FakeShuffleServer stopped = new FakeShuffleServer(n -> Behaviour.HALF_THEN_HANG);
        HttpShuffleSource source = new HttpShuffleSource(null, Duration.ofSeconds(5),
            Duration.ofSeconds(1))) {
      MapOutputRef ref = stopped.serve(local.get(0));
      // The body stalls; on a machine loaded enough even the headers may wait past the bound,
      // which fails the same way.
      assertThatThrownBy(() -> fx.reduce("r", PARTITION, List.of(ref), source))
          .isInstanceOfSatisfying(MapOutputLostException.class, ex ->
              assertThat(ex.getMessage()).contains(stopped.address())
                  .contains("failed " + (RETRIES + 1) + " times")
                  .containsAnyOf("no byte from " + stopped.address(), "timed out"));
      assertThat(stopped.requests).hasSize(RETRIES + 1);
    }
  }

  @Test
  void aServerThatIsGoneIsRetriedThenReportedLost() throws Exception {
    ShuffleFixture fx = fixture("64m");
    List<MapOutputRef> local = maps(fx, 1);
    ShuffleServer server = ShuffleServer.start("127.0.0.1", 0, data);
    MapOutputRef ref = new MapOutputRef(0, local.get(0).attempt(), server.address(),
        local.get(0).dataFile(), local.get(0).indexFile());
    server.register(ref);
    server.close();
    try (HttpShuffleSource source = new HttpShuffleSource(null)) {
      assertThatThrownBy(() -> fx.reduce("r", PARTITION, List.of(ref), source))
          .isInstanceOfSatisfying(MapOutputLostException.class, ex ->
              assertThat(ex.getMessage()).contains(server.address()).contains("cannot open")
                  .contains("failed " + (RETRIES + 1) + " times"));
    }
  }

  @Test
  void aKilledReduceStopsItsFetchesAndLeavesNoScratchFile() throws Exception {
    ShuffleFixture fx = fixture("0");
    List<MapOutputRef> local = maps(fx, 4);
    try (FakeShuffleServer stopped = new FakeShuffleServer(n -> Behaviour.HALF_THEN_HANG);
        HttpShuffleSource source = new HttpShuffleSource(null)) {
      List<MapOutputRef> refs = local.stream().map(stopped::serve).toList();
      Path scratch = Files.createDirectories(tmp.resolve("rscratch-k"));
      ShuffleFetcher fetcher = new ShuffleFetcher(source, scratch, "r-00001_1", 0,
          new FetchConfig(3, RETRIES, 5));
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      Thread reduce = new Thread(() -> {
        try {
          fetcher.fetchAll(refs, PARTITION,
              new TaskAttemptId(ShuffleFixture.JOB_ID, TaskKind.REDUCE, PARTITION, 1), () -> {});
          outcome.set(new AssertionError("the fetch finished"));
        } catch (Throwable t) {
          outcome.set(t);
        }
      });
      reduce.start();
      // Three fetches at once, each stuck after half of its bytes, each writing a scratch file.
      Await.until(Duration.ofSeconds(60), "three transfers hang",
          () -> stopped.requests.size() == 3);
      reduce.interrupt();
      reduce.join(60_000);
      assertThat(reduce.isAlive()).isFalse();
      assertThat(outcome.get()).isInstanceOf(InterruptedException.class)
          .hasMessageContaining("was killed");
      assertThat(stopped.requests).hasSize(3);
      try (Stream<Path> s = Files.list(scratch)) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }

  @Test
  void anOutputTheServerDoesNotHaveIsLostAtOnce() throws Exception {
    ShuffleFixture fx = fixture("64m");
    List<MapOutputRef> local = maps(fx, 1);
    try (ShuffleServer server = ShuffleServer.start("127.0.0.1", 0, data);
        HttpShuffleSource source = new HttpShuffleSource(null)) {
      List<Path> opened = new CopyOnWriteArrayList<>();
      server.onOpen(opened::add);
      // Never registered there (a worker restarted with an empty data directory).
      MapOutputRef ref = new MapOutputRef(0, local.get(0).attempt(), server.address(),
          local.get(0).dataFile(), local.get(0).indexFile());
      assertThatThrownBy(() -> fx.reduce("r", PARTITION, List.of(ref), source))
          .isInstanceOfSatisfying(MapOutputLostException.class, ex ->
              assertThat(ex.getMessage()).contains(server.address() + " answered 404"));
      assertThat(opened).isEmpty();
    }
  }
}
