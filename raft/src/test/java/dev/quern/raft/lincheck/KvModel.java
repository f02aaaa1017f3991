package dev.quern.raft.lincheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A key-value store of strings with get, put and append, checked one key at a time.
 *
 * <p>Outputs are strings: a get returns the value, {@code ""} for a missing key (as an append to a
 * missing key starts from {@code ""}); an append returns the value it made (so an append that saw
 * the value without an earlier acknowledged append is caught even when no get follows); put
 * outputs are ignored. A {@code null} output is unknown. Since the state of a partition is one key's value, the state is just that string.
 *
 * <pre>{@code
 * List<Operation<KvInput, String>> h = List.of(
 *         new Operation<>(0, KvInput.put("x", "1"), 0, "", 10),
 *         new Operation<>(1, KvInput.get("x"), 20, "", 30));         // stale read
 * LinearizabilityChecker.check(new KvModel(), h).isIllegal();       // true
 * }</pre>
 */
public final class KvModel implements Model<String, KvInput, String> {

  @Override
  public String init() {
    return "";
  }

  @Override
  public Optional<String> step(String state, KvInput input, String output) {
    return switch (input.kind()) {
      case GET -> output == null || output.equals(state) ? Optional.of(state) : Optional.empty();
      case PUT -> Optional.of(input.value());
      case APPEND -> output == null || output.equals(state + input.value())
          ? Optional.of(state + input.value()) : Optional.empty();
    };
  }

  @Override
  public List<List<Operation<KvInput, String>>> partition(List<Operation<KvInput, String>> history) {
    Map<String, List<Operation<KvInput, String>>> byKey = new LinkedHashMap<>();
    for (Operation<KvInput, String> op : history) {
      byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
    }
    return List.copyOf(byKey.values());
  }

  @Override
  public String describePartition(List<Operation<KvInput, String>> part) {
    return part.isEmpty() ? "empty history" : "key \"" + part.get(0).input().key() + "\"";
  }

  @Override
  public String describe(KvInput input, String output) {
    String result = output == null ? "?" : "\"" + output + "\"";
    return switch (input.kind()) {
      case GET -> "get(" + input.key() + ") -> " + result;
      case PUT -> "put(" + input.key() + ", \"" + input.value() + "\")";
      case APPEND -> "append(" + input.key() + ", \"" + input.value() + "\") -> " + result;
    };
  }
}
