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

  @Test
  void attemptIdsReadBackFromTheirText() {
    for (TaskAttemptId id : new TaskAttemptId[] {new TaskAttemptId("job-0001", TaskKind.MAP, 3, 2),
        new TaskAttemptId("job-0042", TaskKind.REDUCE, 1_234_567, 11),
        new TaskAttemptId("a/b", TaskKind.REDUCE, 0, 1)}) {
      assertThat(TaskAttemptId.parse(id.toString())).isEqualTo(id);
    }
    for (String bad : new String[] {null, "", "job-0001", "job-0001/m-00003", "/m-00003/2",
        "job-0001/x-00003/2", "job-0001/m00003/2", "job-0001/m-/2", "job-0001/m-00003/0",
        "job-0001/m-00003/two", "job-0001/m--0003/2"}) {
      assertThat(TaskAttemptId.parse(bad)).as(bad).isNull();
    }
  }
}
