package dev.quern.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's configuration: string keys to string values, immutable once the job is built. Keys are
 * hierarchical ({@code quern.map.sort-buffer-mb}); user keys may be anything.
 *
 * <pre>{@code
 * Configuration conf = Configuration.of(Map.of("grep.regex", "err.*"));
 * Pattern p = Pattern.compile(conf.require("grep.regex"));
 * int buffer = conf.getInt("quern.map.sort-buffer-mb", 64);
 * }</pre>
 */
public final class Configuration {
  private static final Configuration EMPTY = new Configuration(Map.of());
  private final Map<String, String> entries;

  private Configuration(Map<String, String> entries) {
    this.entries = Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  public static Configuration of(Map<String, String> entries) {
    return entries.isEmpty() ? EMPTY : new Configuration(entries);
  }

  public static Configuration empty() {
    return EMPTY;
  }

  /** The value, or null when absent. */
  public String get(String key) {
    return entries.get(key);
  }

  public String get(String key, String defaultValue) {
    return entries.getOrDefault(key, defaultValue);
  }

  /** The value; fails with the key's name when absent. */
  public String require(String key) {
    String v = entries.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing configuration entry '" + key + "'");
    }
    return v;
  }

  public int getInt(String key, int defaultValue) {
    String v = entries.get(key);
    return v == null ? defaultValue : parse(key, v, Integer::parseInt);
  }

  public long getLong(String key, long defaultValue) {
    String v = entries.get(key);
    return v == null ? defaultValue : parse(key, v, Long::parseLong);
  }

  public double getDouble(String key, double defaultValue) {
    String v = entries.get(key);
    return v == null ? defaultValue : parse(key, v, Double::parseDouble);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    String v = entries.get(key);
    if (v == null) {
      return defaultValue;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(
          "configuration entry '" + key + "' is not a boolean: '" + v + "'");
    };
  }

  /** A sorted, unmodifiable view of all entries. */
  public Map<String, String> asMap() {
    return entries;
  }

  /** A copy with the given entries added or replaced. */
  public Configuration with(Map<String, String> more) {
    Map<String, String> merged = new TreeMap<>(entries);
    merged.putAll(more);
    return new Configuration(merged);
  }

  private static <T> T parse(String key, String v, java.util.function.Function<String, T> f) {
    try {
      return f.apply(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "configuration entry '" + key + "' is not a number: '" + v + "'", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Configuration c && c.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
