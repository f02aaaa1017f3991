package dev.quern.raft.lincheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}.
 *
 * <p>The algorithm is Wing and Gong's search with Lowe's improvements, as in Porcupine: call and
 * return events form a doubly linked list in time order; the search repeatedly tries to linearize
 * a call whose operation is still open (removing the call and its return from the list, which can be
 * undone in O(1)), backtracks when it meets a return whose call could not be placed, and memoises
 * (set of linearized operations, model state) pairs so that no configuration is explored twice.
 * Each sub-history from {@link Model#partition} is checked on its own.
 *
 * <pre>{@code
 * CheckResult r = LinearizabilityChecker.check(new KvModel(), history, Duration.ofSeconds(5));
 * if (r.isIllegal()) fail(r.explanation());
 * }</pre>
 */
public final class LinearizabilityChecker {

  private LinearizabilityChecker() {}

  /** Checks with no time limit. */
  public static <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history) {
    return check(model, history, null);
  }

  /**
   * Checks {@code history}; returns UNKNOWN if {@code budget} (null = unlimited) runs out first.
   * A definite ILLEGAL found before the budget ran out is still reported.
   */
  public static <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history, Duration budget) {
    long deadline = budget == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, budget.toNanos());
    List<List<Operation<I, O>>> parts = model.partition(history);
    for (List<Operation<I, O>> part : parts) {
      Search<S, I, O> search = new Search<>(model, part, deadline);
      Search.Verdict v = search.run();
      if (v == Search.Verdict.TIMED_OUT) {
        return new CheckResult(CheckResult.Outcome.UNKNOWN,
            "time budget " + budget + " ran out while checking " + model.describePartition(part), List.of());
      }
      if (v == Search.Verdict.ILLEGAL) {
        return new CheckResult(CheckResult.Outcome.ILLEGAL, search.explain(), search.longestPrefix());
      }
    }
    return new CheckResult(CheckResult.Outcome.OK,
        history.size() + " operations in " + parts.size() + " independent part(s) are linearizable", List.of());
  }

  /** The search over one sub-history. */
  private static final class Search<S, I, O> {

    enum Verdict { OK, ILLEGAL, TIMED_OUT }

    /** An event in the time-ordered list; a call links to its return through {@code match}. */
    private static final class Node {
      final int id;
      final Object value; // input for a call, output for a return
      final Node match;   // non-null exactly for calls
      Node prev;
      Node next;

      Node(int id, Object value, Node match) {
        this.id = id;
        this.value = value;
        this.match = match;
      }
    }

    private record Linearized<S>(Node call, S stateBefore) {}

    private record CacheKey<S>(BitSet linearized, S state) {}

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final long deadline;
    private int[] longest = new int[0];
    private int blockedBy = -1;

    Search(Model<S, I, O> model, List<Operation<I, O>> ops, long deadline) {
      this.model = model;
      this.ops = ops;
      this.deadline = deadline;
    }

    /** Builds the event list: by time, a call before a return at the same instant (overlap). */
    private Node buildList() {
      record Event(long time, boolean isReturn, int id) {}
      List<Event> events = new ArrayList<>(2 * ops.size());
      for (int i = 0; i < ops.size(); i++) {
        events.add(new Event(ops.get(i).callTime(), false, i));
        events.add(new Event(ops.get(i).returnTime(), true, i));
      }
      events.sort(Comparator.comparingLong(Event::time).thenComparing(Event::isReturn));
      Node[] returns = new Node[ops.size()];
      for (int i = 0; i < ops.size(); i++) {
        returns[i] = new Node(i, ops.get(i).output(), null);
      }
      Node head = new Node(-1, null, null);
      Node tail = head;
      for (Event e : events) {
        Node n = e.isReturn() ? returns[e.id()] : new Node(e.id(), ops.get(e.id()).input(), returns[e.id()]);
        tail.next = n;
        n.prev = tail;
        tail = n;
      }
      return head;
    }

    @SuppressWarnings("unchecked")
    Verdict run() {
      Node head = buildList();
      BitSet linearized = new BitSet(ops.size());
      // Memo of configurations already explored; a HashMap over value-keys with the model's
      // own equality would need wrappers, so states are compared through model.equal here.
      Map<Integer, List<CacheKey<S>>> cache = new HashMap<>();
      List<Linearized<S>> calls = new ArrayList<>();
      S state = model.init();
      Node entry = head.next;
      long iterations = 0;
      while (head.next != null) {
        if ((iterations++ & 1023) == 0 && System.nanoTime() >= deadline) {
          return Verdict.TIMED_OUT;
        }
        if (entry.match != null) {
          Optional<S> next = model.step(state, (I) entry.value, (O) entry.match.value);
          if (next.isPresent()) {
            BitSet withThis = (BitSet) linearized.clone();
            withThis.set(entry.id);
            if (remember(cache, withThis, next.get())) {
              calls.add(new Linearized<>(entry, state));
              state = next.get();
              linearized.set(entry.id);
              lift(entry);
              entry = head.next;
              continue;
            }
          }
          entry = entry.next;
        } else {
          // A return whose call is not linearized yet: this branch is dead, undo the last choice.
          if (calls.size() > longest.length) {
            longest = calls.stream().mapToInt(c -> c.call().id).toArray();
            blockedBy = entry.id;
          }
          if (calls.isEmpty()) {
            if (blockedBy < 0) {
              blockedBy = entry.id;
            }
            return Verdict.ILLEGAL;
          }
          Linearized<S> top = calls.remove(calls.size() - 1);
          entry = top.call();
          state = top.stateBefore();
          linearized.clear(entry.id);
          unlift(entry);
          entry = entry.next;
        }
      }
      return Verdict.OK;
    }

    /** Adds the configuration to the memo; false if it was already there. */
    private boolean remember(Map<Integer, List<CacheKey<S>>> cache, BitSet linearized, S state) {
      int hash = linearized.hashCode() * 31 + model.hash(state);
      List<CacheKey<S>> bucket = cache.computeIfAbsent(hash, h -> new ArrayList<>(1));
      for (CacheKey<S> k : bucket) {
        if (k.linearized().equals(linearized) && model.equal(k.state(), state)) {
          return false;
        }
      }
      bucket.add(new CacheKey<>(linearized, state));
      return true;
    }

    /** Unlinks a call and its return; both keep their own links so {@link #unlift} can undo it. */
    private static void lift(Node call) {
      call.prev.next = call.next;
      call.next.prev = call.prev; // a call always has a successor: its return
      Node ret = call.match;
      ret.prev.next = ret.next;
      if (ret.next != null) {
        ret.next.prev = ret.prev;
      }
    }

    private static void unlift(Node call) {
      Node ret = call.match;
      ret.prev.next = ret;
      if (ret.next != null) {
        ret.next.prev = ret;
      }
      call.prev.next = call;
      call.next.prev = call;
    }

    List<Operation<?, ?>> longestPrefix() {
      List<Operation<?, ?>> prefix = new ArrayList<>();
      for (int id : longest) {
        prefix.add(ops.get(id));
      }
      return prefix;
    }

    String explain() {
      StringBuilder sb = new StringBuilder();
      sb.append(model.describePartition(ops)).append(" is not linearizable: the longest linearizable prefix has ")
          .append(longest.length).append(" of ").append(ops.size()).append(" operations");
      for (int id : longest) {
        sb.append("\n  ").append(describe(id));
      }
      if (blockedBy >= 0) {
        sb.append("\nafter which this operation cannot take effect before it returned:\n  ").append(describe(blockedBy));
      }
      return sb.toString();
    }

    private String describe(int id) {
      Operation<I, O> op = ops.get(id);
      String when = "[" + op.callTime() + ", " + (op.isPending() ? "never" : op.returnTime()) + "]";
      return "client " + op.clientId() + " " + when + " " + model.describe(op.input(), op.output());
    }
  }
}
