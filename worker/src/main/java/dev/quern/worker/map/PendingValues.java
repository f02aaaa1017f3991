package dev.quern.worker.map;

import dev.quern.worker.task.TaskAttemptId;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One key's pending values, as the combiner sees them: iterable once, like the values a reduce
 * group streams, and empty once the combiner's call returned. One instance is reused group after
 * group.
 */
final class PendingValues<V> implements Iterable<V>, Iterator<V> {
  private final TaskAttemptId attempt;
  private Object[] values;
  private int count;
  private int next;
  private boolean iterated;

  PendingValues(TaskAttemptId attempt) {
    this.attempt = attempt;
  }

  /** Shows {@code values[0, count)} to the next combiner call. */
  void reset(Object[] values, int count) {
    this.values = values;
    this.count = count;
    this.next = 0;
    this.iterated = false;
  }

  /** Ends the group: the combiner must not read past its call. */
  void close() {
    values = null;
    count = 0;
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
    return next < count;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V next() {
    if (next >= count) {
      throw new NoSuchElementException();
    }
    return (V) values[next++];
  }
}
