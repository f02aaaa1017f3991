package dev.quern.master.http.json;

import java.util.Map;

/** Cluster totals; {@code jobsByState} names every job state, zero counts included. */
public record ClusterTotals(int masters, int workers, int slots, int busySlots,
    Map<String, Integer> jobsByState) {
  public ClusterTotals {
    jobsByState = Map.copyOf(jobsByState);
  }
}
