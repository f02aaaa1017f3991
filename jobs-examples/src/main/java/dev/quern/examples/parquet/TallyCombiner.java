package dev.quern.examples.parquet;

import dev.quern.api.Context;
import dev.quern.api.Reducer;

/** Adds up a user's tallies on the map side: {@code [(1, 2.5), (1, 4.0)]} becomes {@code (2, 6.5)}. */
public class TallyCombiner implements Reducer<String, Tally, String, Tally> {
  @Override
  public void reduce(String user, Iterable<Tally> tallies, Context<String, Tally> context) {
    context.emit(user, sum(tallies));
  }

  static Tally sum(Iterable<Tally> tallies) {
    Tally total = new Tally(0, 0);
    for (Tally t : tallies) {
      total = total.plus(t);
    }
    return total;
  }
}
