package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.worker.runner.DataPathConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FetchConfigTest {

  @Test
  void defaultsAndBackoffDoubling() {
    FetchConfig c = FetchConfig.from(Configuration.of(Map.of()));
    assertThat(c).isEqualTo(FetchConfig.DEFAULT);
    assertThat(c.backoff(0)).isEqualTo(500);
    assertThat(c.backoff(1)).isEqualTo(1000);
    assertThat(c.backoff(2)).isEqualTo(2000);
    assertThat(c.backoff(50)).isEqualTo(30_000);
  }

  @ParameterizedTest
  @CsvSource({"quern.reduce.shuffle.parallel-copies,0", "quern.reduce.shuffle.fetch-retries,-1",
      "quern.reduce.shuffle.retry-backoff-ms,30001"})
  void aBadValueRefusesTheJobNamingKeyAndValue(String key, String value) {
    assertThatThrownBy(() -> DataPathConfig.validate(Configuration.of(Map.of(key, value))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key)
        .hasMessageContaining(value);
  }
}
