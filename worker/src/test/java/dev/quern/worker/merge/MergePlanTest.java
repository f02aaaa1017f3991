package dev.quern.worker.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MergePlanTest {

  @Test
  void noPassWithinTheFactor() {
    assertThat(MergePlan.nextPass(0, 2)).isEmpty();
    assertThat(MergePlan.nextPass(64, 64)).isEmpty();
  }

  @Test
  void oneMorePassMergesJustEnoughThatTheFinalMergeTakesTheFactor() {
    // 70 runs, factor 64: merging 7 of them leaves 64.
    int[] plan = MergePlan.nextPass(70, 64);
    assertThat(plan).hasSize(64);
    assertThat(plan[0]).isEqualTo(7);
    assertThat(Arrays.stream(plan).skip(1)).containsOnly(1);
    // 10 runs, factor 4: remove 6 = two merges of 4 (each removes 3).
    assertThat(MergePlan.nextPass(10, 4)).containsExactly(4, 4, 1, 1);
    // 11 runs, factor 4: remove 7 = one merge of 2, then two of 4.
    assertThat(MergePlan.nextPass(11, 4)).containsExactly(2, 4, 4, 1);
  }

  @Test
  void beyondTheSquareEveryRunIsMergedFactorAtATime() {
    assertThat(MergePlan.nextPass(17, 4)).containsExactly(4, 4, 4, 4, 1);
    assertThat(MergePlan.nextPass(19, 4)).containsExactly(4, 4, 4, 4, 3);
  }

  @Test
  void everyPlanCoversTheRunsAndEndsWithinTheFactor() {
    for (int factor = 2; factor <= 12; factor++) {
      for (int n = 0; n <= 2000; n++) {
        int runs = n;
        int passes = 0;
        for (int[] plan = MergePlan.nextPass(runs, factor); plan.length > 0;
            plan = MergePlan.nextPass(runs, factor)) {
          assertThat(Arrays.stream(plan).sum()).isEqualTo(runs);
          assertThat(Arrays.stream(plan).max().orElse(0)).isBetween(2, factor);
          assertThat(plan.length).isLessThan(runs);
          runs = plan.length;
          assertThat(++passes).as("passes for n=%d factor=%d", n, factor).isLessThan(40);
        }
        assertThat(runs).isEqualTo(Math.min(n, factor));
      }
    }
  }

  @Test
  void aFactorBelowTwoIsRefused() {
    assertThatThrownBy(() -> MergePlan.nextPass(5, 1)).hasMessageContaining("at least 2");
  }
}
