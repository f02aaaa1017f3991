package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.shuffle.FetchConfig;
import dev.quern.worker.shuffle.LocalShuffleSource;
import dev.quern.worker.task.MapOutputRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reduces over map outputs that two shuffle servers serve on real sockets give exactly what the
 * same reduces give reading the files locally, and what an independent count says.
 */
@ExtendWith(Seeds.class)
class HttpShuffleReduceTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "compress={0} shuffleMemory={1} parallel={2}")
  @CsvSource({"false,64m,5", "true,64m,3", "false,0,4", "true,20k,2", "false,20k,1"})
  void reduceOverTwoServersEqualsLocalReduce(boolean compress, String memory, int parallel,
      Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Path dataA = Files.createDirectories(tmp.resolve("workerA"));
    Path dataB = Files.createDirectories(tmp.resolve("workerB"));
    ShuffleFixture fx = new ShuffleFixture(tmp, compress, memory,
        Map.of(FetchConfig.PARALLEL_COPIES, Integer.toString(parallel)));
    Set<Path> servedA = ConcurrentHashMap.newKeySet();
    Set<Path> servedB = ConcurrentHashMap.newKeySet();
    try (ShuffleServer a = ShuffleServer.start("127.0.0.1", 0, dataA);
        ShuffleServer b = ShuffleServer.start("127.0.0.1", 0, dataB);
        HttpShuffleSource onA = new HttpShuffleSource(a.address());
        HttpShuffleSource elsewhere = new HttpShuffleSource("127.0.0.1:1")) {
      a.onOpen(servedA::add);
      b.onOpen(servedB::add);
      assertThat(a.port()).isPositive();
      assertThat(a.address()).isEqualTo("127.0.0.1:" + a.port());
      List<MapOutputRef> refs = new ArrayList<>();
      for (int m = 0; m < 6; m++) {
        ShuffleServer server = m % 2 == 0 ? a : b;
        refs.add(fx.map(server.registering(new PipelineTaskRunner(server.address(), null)),
            m % 2 == 0 ? dataA : dataB, rnd,
            1500 + rnd.nextInt(1500)));
      }
      assertThat(a.registered()).isEqualTo(3);
      assertThat(b.registered()).isEqualTo(3);
      assertThat(refs).extracting(MapOutputRef::host)
          .containsOnly(a.address(), b.address());

      List<String> local = fx.reduceAll("local", refs, new LocalShuffleSource());
      List<String> remote = fx.reduceAll("remote", refs, elsewhere);
      assertThat(ShuffleFixture.counts(local)).isEqualTo(fx.expected);
      assertThat(remote).isEqualTo(local);
      assertThat(servedA).hasSize(3);
      assertThat(servedB).hasSize(3);

      // A reduce on worker A reads A's outputs in place and fetches only B's.
      servedA.clear();
      servedB.clear();
      List<String> mixed = fx.reduceAll("onA", refs, onA);
      assertThat(mixed).isEqualTo(local);
      assertThat(servedA).isEmpty();
      assertThat(servedB).hasSize(3);
    }
  }
}
