package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.quern.worker.cluster.WorkerProcessConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {
  private static ExecutorConfig read(String hocon) {
    return ExecutorConfig.from(ConfigFactory.parseString(hocon)
        .withFallback(WorkerProcessConfig.defaults()).getConfig(WorkerProcessConfig.SECTION));
  }

  @Test
  void theDefaultsRunAttemptsInExecutorsOfOneGigabyte() {
    ExecutorConfig c = read("");
    assertThat(c.inProcess()).isFalse();
    assertThat(c.defaultMemory()).isEqualTo("1g");
    assertThat(c.javaOptions()).isEmpty();
    assertThat(c.killGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.warmSpare()).isTrue();
  }

  @Test
  void eachKeyIsRead() {
    ExecutorConfig c = read("quern.worker { task-isolation = in-process, executor {"
        + " default-memory = 512m, java-options = [\"-XX:+UseSerialGC\"], kill-grace = 2s,"
        + " warm-spare = false } }");
    assertThat(c.inProcess()).isTrue();
    assertThat(c.defaultMemory()).isEqualTo("512m");
    assertThat(c.javaOptions()).isEqualTo(List.of("-XX:+UseSerialGC"));
    assertThat(c.killGrace()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.warmSpare()).isFalse();
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> read("quern.worker.task-isolation = jvm"))
        .hasMessageContaining("quern.worker.task-isolation").hasMessageContaining("jvm");
    assertThatThrownBy(() -> read("quern.worker.executor.default-memory = lots"))
        .hasMessageContaining("quern.worker.executor.default-memory")
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> read("quern.worker.executor.kill-grace = 0s"))
        .hasMessageContaining("quern.worker.executor.kill-grace");
    assertThatThrownBy(() -> ExecutorKeys.checkMemory(ExecutorKeys.MEMORY, "-Xmx2g"))
        .hasMessageContaining("quern.executor.memory");
    assertThat(ExecutorKeys.checkMemory(ExecutorKeys.MEMORY, " 2g ")).isEqualTo("2g");
  }
}
