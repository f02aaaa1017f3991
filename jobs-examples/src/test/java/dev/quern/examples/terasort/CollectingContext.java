package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A task context for driving mappers and reducers directly in unit tests: keeps every emit. */
final class CollectingContext<K, V> implements Context<K, V> {
  final List<Map.Entry<K, V>> emitted = new ArrayList<>();
  final Map<String, long[]> counters = new HashMap<>();
  private final boolean keep;
  long emits;

  CollectingContext() {
    this(true);
  }

  /** With {@code keep} false, only counts emits (for runs too large to hold). */
  CollectingContext(boolean keep) {
    this.keep = keep;
  }

  @Override
  public void emit(K key, V value) {
    emits++;
    if (keep) {
      emitted.add(new java.util.AbstractMap.SimpleEntry<>(key, value));
    }
  }

  @Override
  public Configuration configuration() {
    return Configuration.empty();
  }

  @Override
  public Counter counter(String group, String name) {
    long[] cell = counters.computeIfAbsent(group + "/" + name, k -> new long[1]);
    return new Counter() {
      @Override
      public void increment(long delta) {
        cell[0] += delta;
      }

      @Override
      public long value() {
        return cell[0];
      }
    };
  }

  long counter(String key) {
    long[] c = counters.get(key);
    return c == null ? 0 : c[0];
  }

  @Override
  public void progress() {}

  @Override
  public String attemptId() {
    return "test/m-00000/0";
  }

  @Override
  public int taskIndex() {
    return 0;
  }

  @Override
  public int reduceTasks() {
    return 1;
  }
}
