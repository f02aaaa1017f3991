package dev.quern.master.engine;

import java.util.Collections;
import java.util.PriorityQueue;

/**
 * The median of a growing set of numbers (run times of finished attempts), in O(log n) per added
 * number and O(1) per read: the lower half in a max-heap, the upper half in a min-heap.
 */
final class RunningMedian {
  private final PriorityQueue<Long> lower = new PriorityQueue<>(Collections.reverseOrder());
  private final PriorityQueue<Long> upper = new PriorityQueue<>();

  void add(long value) {
    if (lower.isEmpty() || value <= lower.peek()) {
      lower.add(value);
    } else {
      upper.add(value);
    }
    if (lower.size() > upper.size() + 1) {
      upper.add(lower.poll());
    } else if (upper.size() > lower.size()) {
      lower.add(upper.poll());
    }
  }

  int size() {
    return lower.size() + upper.size();
  }

  /** The median (the mean of the middle two for an even count); 0 when empty. */
  double median() {
    if (lower.isEmpty()) {
      return 0;
    }
    if (lower.size() == upper.size()) {
      return (lower.peek() + (double) upper.peek()) / 2;
    }
    return lower.peek();
  }
}
