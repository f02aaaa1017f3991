package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scheduling keys of a job: defaults, parsing, and errors that name the key. */
class JobPolicyTest {
  private static JobPolicy of(String... kv) {
    java.util.Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return JobPolicy.check(Configuration.of(m));
  }

  @Test
  void defaults() {
    assertThat(JobPolicy.check(Configuration.of(Map.of()))).isEqualTo(JobPolicy.DEFAULTS);
    assertThat(JobPolicy.DEFAULTS).isEqualTo(new JobPolicy(false, 1.5, 0.75, 100, -1, 3, 3_000,
        1.0));
  }

  @Test
  void valuesParse() {
    JobPolicy p = of(EngineKeys.SPECULATION, "true", EngineKeys.SPECULATION_MULTIPLIER, "2",
        EngineKeys.SPECULATION_QUANTILE, "0.5", EngineKeys.SPECULATION_MIN_RUNTIME, "2s",
        EngineKeys.SPECULATION_TASK_DURATION_THRESHOLD, "1m",
        EngineKeys.EXCLUDE_AFTER_FAILURES, "0", EngineKeys.LOCALITY_WAIT, "250ms",
        EngineKeys.REDUCE_SLOWSTART, "0.05");
    assertThat(p).isEqualTo(new JobPolicy(true, 2, 0.5, 2_000, 60_000, 0, 250, 0.05));
    assertThat(of(EngineKeys.LOCALITY_WAIT, "1500").localityWaitMs()).isEqualTo(1_500);
    assertThat(of(EngineKeys.LOCALITY_WAIT, "1h").localityWaitMs()).isEqualTo(3_600_000);
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> of(EngineKeys.LOCALITY_WAIT, "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("configuration entry 'quern.locality.wait' must be a duration such as 500ms,"
            + " 3s or 2m (a bare number is milliseconds), got 'soon'");
    assertThatThrownBy(() -> of(EngineKeys.SPECULATION_QUANTILE, "1.5"))
        .hasMessage("configuration entry 'quern.speculation.quantile' must be a number from 0 "
            + "to 1, got '1.5'");
    assertThatThrownBy(() -> of(EngineKeys.SPECULATION_MULTIPLIER, "0.5"))
        .hasMessageContaining("'quern.speculation.multiplier' must be a number from 1 to 1000");
    assertThatThrownBy(() -> of(EngineKeys.EXCLUDE_AFTER_FAILURES, "-1"))
        .hasMessageContaining("'quern.exclude-on-failure.max-failures-per-worker' must be a "
            + "whole number from 0");
    assertThatThrownBy(() -> of(EngineKeys.REDUCE_SLOWSTART, "NaN"))
        .hasMessageContaining("'quern.reduce.slowstart.completed-maps' must be a number");
    assertThatThrownBy(() -> of(EngineKeys.SPECULATION, "maybe"))
        .hasMessageContaining("'quern.speculation'");
  }
}
