package dev.quern.api;

/**
 * A named long that a task adds to; the engine totals it over all successful attempts of a job.
 *
 * <pre>{@code
 * Counter malformed = ctx.counter("parse", "malformed-lines");
 * malformed.increment(1);
 * }</pre>
 */
public interface Counter {
  void increment(long delta);

  long value();
}
