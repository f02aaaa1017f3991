package dev.quern.worker.map;

import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;

/**
 * A map attempt's failure (user code or the reader) with where in the input it happened: the
 * split and, when the reader can say, the record. Its {@link #toString} is the line the master
 * reports, e.g. {@code input /data/a.gz bytes 0-5120, line at byte 770 of the decompressed data:
 * java.io.EOFException: Unexpected end of ZLIB input stream}; the stack trace continues with the
 * original exception as the cause.
 */
public final class InputFailure extends Exception {
  private InputFailure(String message, Exception cause) {
    super(message, cause);
    // The user's frames first: the trace reads as the cause's, under the line naming the input.
    setStackTrace(cause.getStackTrace());
  }

  static InputFailure of(InputSplit split, String position, Exception cause) {
    String where = "input " + describe(split) + (position == null ? "" : ", " + position);
    return new InputFailure(where + ": " + cause, cause);
  }

  /** {@code PATH bytes START-END} for a file split, else the split's own description. */
  static String describe(InputSplit split) {
    if (split instanceof FileSplit fs) {
      return fs.path() + " bytes " + fs.start() + "-" + fs.end();
    }
    return split == null ? "(no split)" : split.describe();
  }

  /** The message alone: the cause's class is in it already. */
  @Override
  public String toString() {
    return getMessage();
  }
}
