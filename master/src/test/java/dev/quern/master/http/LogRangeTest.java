package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogRangeTest {
  @Test
  void absentParametersMeanTheStartAndOneChunk() {
    assertThat(LogRange.parse(null, null)).isEqualTo(new LogRange(0, 128 * 1024));
    assertThat(LogRange.parse("70", "1048576")).isEqualTo(new LogRange(70, 1 << 20));
  }

  @Test
  void badParametersAreNamed() {
    assertThatThrownBy(() -> LogRange.parse("x", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole numbers");
    assertThatThrownBy(() -> LogRange.parse("-1", "10"))
        .hasMessageContaining("got offset -1, length 10");
    assertThatThrownBy(() -> LogRange.parse("0", "1048577"))
        .hasMessageContaining("length from 0 to 1048576 bytes");
  }
}
