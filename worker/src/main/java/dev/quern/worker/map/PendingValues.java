package dev.quern.worker.map;

import dev.quern.worker.task.TaskAttemptId;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One key's pending values, as the combiner sees them: iterable once, like the values a reduce
 * group streams, and empty once the combiner's call returned. The values are an array's first
 * {@code n} elements, then a tail value repeated {@code run} times. One instance is reused group
 * after group.
 */
final class PendingValues<V> implements Iterable<V>, Iterator<V> {
  private final TaskAttemptId attempt;
  private Object[] array;
  private int n;
  private Object tail;
  private int run;
  private int next;
  private boolean iterated;

  PendingValues(TaskAttemptId attempt) {
    this.attempt = attempt;
  }

  /** Shows {@code array[0, n)} then {@code run} times {@code tail} to the next combiner call. */
  void reset(Object[] array, int n, Object tail, int run) {
    this.array = array;
    this.n = n;
    this.tail = tail;
    this.run = run;
    this.next = 0;
    this.iterated = false;
  }

  /** Ends the group: the combiner must not read past its call. */
  void close() {
    array = null;
    tail = null;
    n = 0;
    run = 0;
    next = 0;
  }

  @Override
  public Iterator<V> iterator() {
    if (iterated) {
      throw new IllegalStateException(
          "the values of a reduce group can be iterated only once (" + attempt + ")");
    }
    iterated = true;
    return this;
  }

  @Override
  public boolean hasNext() {
    return next < n + run;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V next() {
    int i = next;
    if (i < n) {
      next = i + 1;
      return (V) array[i];
    }
    if (i < n + run) {
      next = i + 1;
      return (V) tail;
    }
    throw new NoSuchElementException();
  }
}
