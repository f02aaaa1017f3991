package dev.quern.raft.lincheck;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A sequential specification that histories are checked against.
 *
 * <p>{@link #step} says whether {@code input} producing {@code output} is legal in {@code state},
 * and what the state becomes. An output of {@code null} means "unknown" (the operation never
 * returned): the step must then accept, applying the input as if it had run. States must be values:
 * never mutate one, and make {@link #equal}/{@link #hash} agree, because the checker memoises on
 * them.
 *
 * <p>If the model's operations on different parts of the state are independent (keys of a map),
 * override {@link #partition}: a history is linearizable iff each part is (P-compositionality), and
 * checking parts separately is exponentially cheaper.
 *
 * <pre>{@code
 * Model<Integer, Integer, Integer> register = (state, write, read) ->   // input null = read
 *         write != null ? Optional.of(write)
 *         : (read == null || read.equals(state)) ? Optional.of(state) : Optional.empty();
 * }</pre>
 * (with {@code init()} overridden when the initial state is not {@code null}).
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
@FunctionalInterface
public interface Model<S, I, O> {

  /** Legal next state, or empty if {@code output} is impossible for {@code input} in {@code state}. */
  Optional<S> step(S state, I input, O output);

  /** The initial state; {@code null} by default. */
  default S init() {
    return null;
  }

  default boolean equal(S a, S b) {
    return Objects.equals(a, b);
  }

  default int hash(S state) {
    return Objects.hashCode(state);
  }

  /** Splits a history into independent sub-histories; by default, none. */
  default List<List<Operation<I, O>>> partition(List<Operation<I, O>> history) {
    return List.of(history);
  }

  /** Names a sub-history in explanations (e.g. its key). */
  default String describePartition(List<Operation<I, O>> part) {
    return "history";
  }

  /** One line describing an operation in explanations. */
  default String describe(I input, O output) {
    return input + " -> " + (output == null ? "?" : output);
  }
}
