package dev.quern.raft;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A state machine's state frozen at one point of the log, to be written out later, on another
 * thread, while the state machine goes on applying entries ({@link StateMachine#snapshotImage()}).
 * What it writes is what {@link StateMachine#restore(byte[])} reads.
 */
@FunctionalInterface
public interface SnapshotImage {

  /** Writes the image; called once, on a thread other than the one that applies entries. */
  void writeTo(OutputStream out) throws IOException;
}
