package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TickGateTest {

  private static final long MS = 1_000_000L;

  @Test
  void firingsOnTimeAreTicks() {
    TickGate gate = new TickGate(50 * MS);
    for (long t = 0; t < 1000 * MS; t += 50 * MS) {
      assertThat(gate.admit(t)).as("firing at %d ms", t / MS).isTrue();
    }
  }

  @Test
  void aBurstAfterAStallIsOneTick() {
    TickGate gate = new TickGate(50 * MS);
    assertThat(gate.admit(0)).isTrue();
    int admitted = 0;
    for (int i = 0; i < 40; i++) { // two seconds of firings replayed within 1 ms
      admitted += gate.admit(2000 * MS + i * 1000) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(1);
    assertThat(gate.admit(2000 * MS + 25 * MS)).as("half an interval after the admitted one").isTrue();
  }

  @Test
  void aLateFiringCountsButAnEarlyOneDoesNot() {
    TickGate gate = new TickGate(50 * MS);
    assertThat(gate.admit(0)).isTrue();
    assertThat(gate.admit(24 * MS)).isFalse();
    assertThat(gate.admit(80 * MS)).isTrue();
    assertThat(gate.admit(130 * MS)).isTrue();
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThatThrownBy(() -> new TickGate(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tick interval must be positive");
  }
}
