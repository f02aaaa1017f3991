package dev.quern.worker.task;

import java.io.IOException;

/**
 * A reduce attempt could not use a map output (missing file, checksum mismatch, truncated). The
 * master answers by re-running that map task, then retries the reduce; the reduce attempt does
 * not count as a failure of user code.
 */
public class MapOutputLostException extends IOException {
  private final MapOutputRef output;
  private final int partition;

  public MapOutputLostException(MapOutputRef output, int partition, String reason) {
    super("map output of " + output.attempt() + " partition " + partition + " ("
        + output.dataFile() + ") is unusable: " + reason);
    this.output = output;
    this.partition = partition;
  }

  public MapOutputRef output() {
    return output;
  }

  public int partition() {
    return partition;
  }
}
