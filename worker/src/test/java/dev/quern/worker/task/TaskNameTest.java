package dev.quern.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Task names as the format string gave them, for the indices of small and huge jobs. */
class TaskNameTest {

  @Test
  void namesMatchTheFormatString() {
    for (TaskKind kind : TaskKind.values()) {
      for (int i : new int[] {0, 7, 42, 99_999, 100_000, 1_234_567, Integer.MAX_VALUE}) {
        assertThat(TaskAttemptId.name(kind, i))
            .isEqualTo(String.format("%c-%05d", kind.letter(), i));
      }
    }
    assertThat(new TaskAttemptId("job-0001", TaskKind.MAP, 3, 2).toString())
        .isEqualTo("job-0001/m-00003/2");
  }
}
