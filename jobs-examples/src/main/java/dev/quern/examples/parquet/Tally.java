package dev.quern.examples.parquet;

/** A partial total of one user's events: the shuffle value of the Parquet aggregation. */
public record Tally(long events, double amount) {
  Tally plus(Tally other) {
    return new Tally(events + other.events, amount + other.amount);
  }
}
