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

  /**
   * The state as it is now, frozen, to be written by another thread while entries go on being
   * applied here. Called on the applying thread, so it must be cheap: capture an immutable view (a
   * persistent map, a copy-on-write reference, a shallow copy of immutable values), and leave the
   * encoding to {@link SnapshotImage#writeTo}. It must write exactly what {@link #snapshot()} would
   * return now. The default encodes at once, on this thread, with {@link #snapshot()}.
   */
  default SnapshotImage snapshotImage() {
    byte[] image = snapshot();
    return out -> out.write(image);
  }

  /** Replaces the whole state with a {@link #snapshot()} image. */
  void restore(byte[] snapshot);
}
