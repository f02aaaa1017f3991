package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TermFenceTest {

  @Test
  void refusesLowerTermsAndASecondLeaderOfOneTerm() {
    TermFence fence = new TermFence();
    assertTrue(fence.admit(3, "m1"));
    assertTrue(fence.admit(3, "m1"), "the same leader again");
    assertFalse(fence.admit(2, "m2"), "a deposed leader's term");
    assertFalse(fence.admit(3, "m2"), "another leader claiming term 3");
    assertEquals(3, fence.term());
    assertEquals("m1", fence.leaderId());
    assertTrue(fence.admit(5, "m2"), "a newer leader");
    assertFalse(fence.admit(3, "m1"), "the old leader after the new one spoke");
    assertEquals(5, fence.term());
    assertEquals("m2", fence.leaderId());
  }
}
