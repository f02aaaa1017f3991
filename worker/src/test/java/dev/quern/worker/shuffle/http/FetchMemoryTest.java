package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.shuffle.FetchConfig;
import dev.quern.worker.shuffle.ShuffleFetcher;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Many map outputs fetched several at once stay within the shuffle memory budget. */
@ExtendWith(Seeds.class)
class FetchMemoryTest {
  private static final int PARALLEL = 6;
  private static final int MAPS = 36;

  @TempDir Path tmp;

  @Test
  void concurrentFetchesNeverHoldMoreThanTheBudget(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Path data = Files.createDirectories(tmp.resolve("data"));
    ShuffleFixture fx = new ShuffleFixture(tmp, false, "64m", Map.of());
    try (ShuffleServer server = ShuffleServer.start("127.0.0.1", 0, data);
        HttpShuffleSource http = new HttpShuffleSource(null)) {
      List<MapOutputRef> refs = new ArrayList<>();
      for (int m = 0; m < MAPS; m++) {
        refs.add(fx.map(server.registering(new PipelineTaskRunner(server.address(), null)), data,
            rnd, 300 + rnd.nextInt(600)));
      }
      long total = 0;
      for (MapOutputRef r : refs) {
        total += PartitionIndex.read(Path.of(r.indexFile())).entry(0).storedLength();
      }
      long budget = total / 5;

      // Every round of PARALLEL opens meets at the barrier before any body is read: fetches one
      // after another would never fill it (and time out), and all of a round reserve memory at
      // nearly the same moment.
      CyclicBarrier round = new CyclicBarrier(PARALLEL);
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger maxInFlight = new AtomicInteger();
      ShuffleSource source = (ref, partition) -> {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          round.await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IOException("the round of parallel fetches never filled", e);
        }
        ShuffleSource.Segment s = http.open(ref, partition);
        return new ShuffleSource.Segment(new FilterInputStream(s.in()) {
          @Override
          public void close() throws IOException {
            inFlight.decrementAndGet();
            super.close();
          }
        }, s.storedLength(), s.rawLength(), s.checksum(), s.compressed());
      };
      Path scratch = Files.createDirectories(tmp.resolve("rscratch"));
      ShuffleFetcher fetcher = new ShuffleFetcher(source, scratch, "r-00000_1", budget,
          new FetchConfig(PARALLEL, 0, 1));
      int[] done = new int[1];
      List<SortedRun> runs = fetcher.fetchAll(refs, 0,
          new TaskAttemptId(ShuffleFixture.JOB_ID, TaskKind.REDUCE, 0, 1), () -> done[0]++);

      assertThat(done[0]).isEqualTo(MAPS);
      assertThat(maxInFlight.get()).isEqualTo(PARALLEL);
      assertThat(fetcher.memoryPeak()).isPositive().isLessThanOrEqualTo(budget);
      long inMemory = 0;
      int inFiles = 0;
      for (int i = 0; i < MAPS; i++) {
        MapOutputRef r = refs.get(i);
        IndexEntry e = PartitionIndex.read(Path.of(r.indexFile())).entry(0);
        byte[] expected = Arrays.copyOfRange(Files.readAllBytes(Path.of(r.dataFile())),
            (int) e.offset(), (int) (e.offset() + e.storedLength()));
        SortedRun run = runs.get(i);
        if (run instanceof SortedRun.InMemory m) {
          inMemory += m.bytes().length;
          assertThat(m.bytes()).isEqualTo(expected);
        } else {
          SortedRun.InFile f = (SortedRun.InFile) run;
          inFiles++;
          assertThat(f.file().getParent()).isEqualTo(scratch);
          assertThat(Files.readAllBytes(f.file())).isEqualTo(expected);
        }
      }
      assertThat(inMemory).isEqualTo(fetcher.memoryHeld()).isLessThanOrEqualTo(budget);
      assertThat(inMemory).as("some outputs fit the budget").isPositive();
      assertThat(inFiles).as("the rest went to scratch files").isPositive();
      for (SortedRun r : runs) {
        r.discard();
      }
      try (var s = Files.list(scratch)) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }
}
