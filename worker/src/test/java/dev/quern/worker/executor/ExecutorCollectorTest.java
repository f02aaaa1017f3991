package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The collector options an executor JVM gets. */
class ExecutorCollectorTest {

  @Test
  void noCollectorOfTheWorkerGivesTheParallelOne() {
    assertThat(ExecutorCollector.options(
        List.of("-XX:TieredStopAtLevel=1", "-Xlog:gc:file=gc.log")))
        .containsExactly("-XX:+UseParallelGC");
    assertThat(ExecutorCollector.options(List.of())).containsExactly("-XX:+UseParallelGC");
    // Page options and options that only tune or log a collector leave the choice here.
    assertThat(ExecutorCollector.options(List.of("-XX:+UseTransparentHugePages",
        "-XX:+UseLargePages", "-XX:ParallelGCThreads=2", "-Xlog:gc")))
        .containsExactly("-XX:+UseParallelGC");
  }

  @Test
  void aCollectorOptionOfTheWorkerWins() {
    for (String o : List.of("-XX:+UseSerialGC", "-XX:+UseG1GC", "-XX:+UseZGC",
        "-XX:-UseParallelGC", "-XX:+UseShenandoahGC")) {
      assertThat(ExecutorCollector.options(List.of("-Xss512k", o))).as(o).isEmpty();
    }
  }
}
