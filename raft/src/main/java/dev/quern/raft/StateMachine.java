package dev.quern.raft;

/**
 * An application state machine driven by the committed log. It must be deterministic: the same
 * commands in the same order give the same state and results on every node.
 */
public interface StateMachine {

  /** Applies one committed command and returns its result. */
  byte[] apply(byte[] command);

  /** An image of the whole state, to be restored with {@link #restore(byte[])}. */
  byte[] snapshot();

  /** Replaces the whole state with a {@link #snapshot()} image. */
  void restore(byte[] snapshot);
}
