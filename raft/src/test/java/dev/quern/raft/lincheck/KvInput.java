package dev.quern.raft.lincheck;

import java.util.Objects;

/**
 * A request to {@link KvModel}: get, put or append on a string key.
 *
 * <pre>{@code KvInput.put("job-7", "RUNNING"); KvInput.get("job-7");}</pre>
 */
public record KvInput(Kind kind, String key, String value) {

  public enum Kind { GET, PUT, APPEND }

  public KvInput {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    if (kind != Kind.GET) {
      Objects.requireNonNull(value, "value");
    }
  }

  public static KvInput get(String key) {
    return new KvInput(Kind.GET, key, null);
  }

  public static KvInput put(String key, String value) {
    return new KvInput(Kind.PUT, key, value);
  }

  public static KvInput append(String key, String value) {
    return new KvInput(Kind.APPEND, key, value);
  }
}
