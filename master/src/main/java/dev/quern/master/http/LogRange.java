package dev.quern.master.http;

import java.util.Optional;

/**
 * The part of an attempt's log a request asks for: {@code ?offset=N&length=M} of the logs API
 * (the same on a master of a cluster and on a local or history UI).
 *
 * <pre>
 * LogRange r = LogRange.parse(ctx.queryParam("offset"), ctx.queryParam("length"));
 * </pre>
 */
public record LogRange(long offset, int length) {
  /** Bytes answered when no length is given: one chunk as a worker reads it. */
  public static final int DEFAULT_LENGTH = 128 * 1024;
  /** The most a request may ask for. */
  public static final int MAX_LENGTH = 1 << 20;

  /**
   * @param offset the query's offset (null: 0)
   * @param length the query's length (null: {@link #DEFAULT_LENGTH})
   * @throws IllegalArgumentException naming what is wrong, for a 400
   */
  public static LogRange parse(String offset, String length) {
    long o;
    int n;
    try {
      o = Long.parseLong(Optional.ofNullable(offset).orElse("0"));
      n = Integer.parseInt(Optional.ofNullable(length).orElse(Integer.toString(DEFAULT_LENGTH)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("offset and length must be whole numbers: "
          + e.getMessage());
    }
    if (o < 0 || n < 0 || n > MAX_LENGTH) {
      throw new IllegalArgumentException("offset must be 0 or more and length from 0 to "
          + MAX_LENGTH + " bytes (got offset " + o + ", length " + n + ")");
    }
    return new LogRange(o, n);
  }
}
