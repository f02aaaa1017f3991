package dev.quern.raft.lincheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The definition of linearizability, executed literally: try every order of the operations that
 * respects real time (an operation that returned before another was called goes first). Exponential;
 * an independent oracle for tiny histories.
 */
final class BruteForce {

  private BruteForce() {}

  static <S, I, O> boolean linearizable(Model<S, I, O> model, List<Operation<I, O>> history) {
    return search(model, model.init(), new ArrayList<>(history));
  }

  private static <S, I, O> boolean search(Model<S, I, O> model, S state, List<Operation<I, O>> left) {
    if (left.isEmpty()) {
      return true;
    }
    long firstReturn = Long.MAX_VALUE;
    for (Operation<I, O> op : left) {
      firstReturn = Math.min(firstReturn, op.returnTime());
    }
    for (int i = 0; i < left.size(); i++) {
      Operation<I, O> op = left.get(i);
      if (op.callTime() > firstReturn) {
        continue; // some other operation must come before it
      }
      Optional<S> next = model.step(state, op.input(), op.output());
      if (next.isPresent()) {
        List<Operation<I, O>> rest = new ArrayList<>(left);
        rest.remove(i);
        if (search(model, next.get(), rest)) {
          return true;
        }
      }
    }
    return false;
  }
}
