package dev.quern.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Configuration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskMemoryTest {
  private static final long MIB = 1L << 20;

  @Test
  void eachSlotGetsItsShareOfHalfTheHeapUpToTheDefaultBuffer() {
    assertThat(TaskMemory.sortBuffer(512 * MIB, 2)).isEqualTo(128 * MIB);
    assertThat(TaskMemory.sortBuffer(512 * MIB, 8)).isEqualTo(32 * MIB);
    assertThat(TaskMemory.sortBuffer(384 * MIB, 2)).isEqualTo(96 * MIB);
    assertThat(TaskMemory.sortBuffer(8192 * MIB, 4)).isEqualTo(128 * MIB);
    assertThat(TaskMemory.sortBuffer(64 * MIB, 64)).isEqualTo(4 * MIB);
    assertThat(TaskMemory.sortBuffer(512 * MIB, 0)).isEqualTo(128 * MIB);
  }

  @Test
  void theSlotsOfLiveWorkersCountAndAJobSettingWins() {
    int before = TaskMemory.slots();
    long heap = Runtime.getRuntime().maxMemory();
    try (TaskMemory.Slots a = TaskMemory.register(3); TaskMemory.Slots b = TaskMemory.register(5)) {
      assertThat(TaskMemory.slots()).isEqualTo(before + 8);
      assertThat(DataPathConfig.from(Configuration.empty()).sortBufferSize())
          .isEqualTo(TaskMemory.sortBuffer(heap, before + 8));
      assertThat(DataPathConfig.from(Configuration.of(Map.of(
          DataPathConfig.SORT_BUFFER_SIZE, "7m"))).sortBufferSize()).isEqualTo(7 * MIB);
      a.close();
      a.close(); // once
      assertThat(TaskMemory.slots()).isEqualTo(before + 5);
    }
    assertThat(TaskMemory.slots()).isEqualTo(before);
  }
}
