package dev.quern.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counter totals by group and name: one task attempt's, or a whole job's.
 *
 * <p>Not thread-safe: a task owns its counters; the engine merges copies.
 *
 * <pre>{@code
 * Counters c = status.counters();
 * long words = c.get(TaskCounter.MAP_OUTPUT_RECORDS);
 * long bad = c.get("parse", "malformed-lines");
 * }</pre>
 */
public final class Counters {
  private final TreeMap<String, TreeMap<String, Long>> groups = new TreeMap<>();

  public Counters() {}

  /** A copy of the given nested map (group, then name). */
  public static Counters of(Map<String, ? extends Map<String, Long>> values) {
    Counters c = new Counters();
    values.forEach((g, names) -> names.forEach((n, v) -> c.increment(g, n, v)));
    return c;
  }

  public void increment(String group, String name, long delta) {
    groups.computeIfAbsent(group, g -> new TreeMap<>()).merge(name, delta, Long::sum);
  }

  public void increment(TaskCounter counter, long delta) {
    increment(TaskCounter.GROUP, counter.name(), delta);
  }

  public long get(String group, String name) {
    Map<String, Long> names = groups.get(group);
    return names == null ? 0 : names.getOrDefault(name, 0L);
  }

  public long get(TaskCounter counter) {
    return get(TaskCounter.GROUP, counter.name());
  }

  /** Adds every counter of {@code other} into this. */
  public Counters add(Counters other) {
    other.groups.forEach((g, names) -> names.forEach((n, v) -> increment(g, n, v)));
    return this;
  }

  public Counters copy() {
    return new Counters().add(this);
  }

  /** A sorted copy: group, then counter name, to value. */
  public Map<String, Map<String, Long>> asMap() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    groups.forEach((g, names) -> out.put(g, new TreeMap<>(names)));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Counters c && c.groups.equals(groups);
  }

  @Override
  public int hashCode() {
    return groups.hashCode();
  }

  @Override
  public String toString() {
    return groups.toString();
  }
}
