package dev.quern.master.cluster;

import dev.quern.raft.StateMachine;

/**
 * The replicated state machine until the job book lands on it: it holds nothing, so the group
 * elects leaders and replicates their no-op entries and nothing else.
 */
final class EmptyBook implements StateMachine {
  private static final byte[] NOTHING = new byte[0];

  @Override
  public byte[] apply(byte[] command) {
    return NOTHING;
  }

  @Override
  public byte[] snapshot() {
    return NOTHING;
  }

  @Override
  public void restore(byte[] snapshot) {
    // nothing to restore
  }
}
