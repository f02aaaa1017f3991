package dev.quern.master.http.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Cluster totals; {@code jobsByState} names every job state in life order, zero counts included. */
public record ClusterTotals(int masters, int workers, int slots, int busySlots,
    Map<String, Integer> jobsByState) {
  public ClusterTotals {
    jobsByState = Collections.unmodifiableMap(new LinkedHashMap<>(jobsByState));
  }
}
