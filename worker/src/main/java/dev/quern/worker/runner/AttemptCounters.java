package dev.quern.worker.runner;

import dev.quern.api.Counter;
import dev.quern.api.Counters;
import dev.quern.api.TaskCounter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** One attempt's counters: built-in ones as plain longs, user ones created on first use. */
public final class AttemptCounters {
  private final long[] builtIn = new long[TaskCounter.values().length];
  private final Map<String, Map<String, LongCounter>> user = new LinkedHashMap<>();

  public void add(TaskCounter c, long delta) {
    builtIn[c.ordinal()] += delta;
  }

  public long get(TaskCounter c) {
    return builtIn[c.ordinal()];
  }

  public Counter user(String group, String name) {
    return user.computeIfAbsent(group, g -> new LinkedHashMap<>())
        .computeIfAbsent(name, n -> new LongCounter());
  }

  /** A snapshot; built-in counters that stayed at zero are left out except the map/reduce core. */
  public Counters snapshot() {
    Counters c = new Counters();
    Map<TaskCounter, Long> m = new EnumMap<>(TaskCounter.class);
    for (TaskCounter t : TaskCounter.values()) {
      if (builtIn[t.ordinal()] != 0) {
        m.put(t, builtIn[t.ordinal()]);
      }
    }
    m.forEach(c::increment);
    user.forEach((g, names) -> names.forEach((n, v) -> c.increment(g, n, v.value)));
    return c;
  }

  private static final class LongCounter implements Counter {
    private long value;

    @Override
    public void increment(long delta) {
      value += delta;
    }

    @Override
    public long value() {
      return value;
    }
  }
}
