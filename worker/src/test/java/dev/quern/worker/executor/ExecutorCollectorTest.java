package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector options an executor JVM gets, against the kernel's huge-page setting. */
class ExecutorCollectorTest {
  @TempDir Path tmp;

  @Test
  void noCollectorOfTheWorkerGivesTheParallelOneWithHugePagesWhenTheKernelGivesThem()
      throws Exception {
    Path madvise = Files.writeString(tmp.resolve("madvise"), "always [madvise] never\n");
    Path always = Files.writeString(tmp.resolve("always"), "[always] madvise never\n");
    Path never = Files.writeString(tmp.resolve("never"), "always madvise [never]\n");
    List<String> opts = List.of("-XX:TieredStopAtLevel=1", "-Xlog:gc:file=gc.log");
    assertThat(ExecutorCollector.options(opts, madvise))
        .containsExactly("-XX:+UseParallelGC", "-XX:+UseTransparentHugePages");
    assertThat(ExecutorCollector.options(List.of(), always))
        .containsExactly("-XX:+UseParallelGC", "-XX:+UseTransparentHugePages");
    assertThat(ExecutorCollector.options(opts, never)).containsExactly("-XX:+UseParallelGC");
    assertThat(ExecutorCollector.options(opts, tmp.resolve("no-such-file")))
        .containsExactly("-XX:+UseParallelGC");
  }

  @Test
  void aCollectorOrPageOptionOfTheWorkerWins() throws Exception {
    Path madvise = Files.writeString(tmp.resolve("madvise"), "always [madvise] never\n");
    for (String o : List.of("-XX:+UseSerialGC", "-XX:+UseG1GC", "-XX:+UseZGC",
        "-XX:-UseParallelGC", "-XX:+UseShenandoahGC", "-XX:-UseTransparentHugePages",
        "-XX:+UseLargePages")) {
      assertThat(ExecutorCollector.options(List.of("-Xss512k", o), madvise)).as(o).isEmpty();
    }
    // Options that only tune or log a collector leave the choice here.
    assertThat(ExecutorCollector.options(List.of("-XX:ParallelGCThreads=2", "-Xlog:gc"), madvise))
        .startsWith("-XX:+UseParallelGC");
  }
}
