package dev.quern.worker.reduce;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Context;
import dev.quern.api.Reducer;
import dev.quern.api.serde.Serde;
import dev.quern.worker.runner.EngineIOException;
import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Feeds a sorted record stream to a {@link Reducer} (the job's reducer or its combiner) group by
 * group. Each group's values are a single-pass view over the stream, so a group of any size runs
 * in constant memory.
 */
public final class GroupDriver<K, V> {
  private final TaskAttemptId attempt;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final KeyGrouping grouping;
  private final Runnable onProgress;
  private final Input keyIn = new Input();
  private final Input valIn = new Input();
  private byte[] groupKey = new byte[64];
  private int groupKeyLen;
  private long groups;
  private long records;

  /** @param onProgress called every few thousand records (progress, liveness) */
  public GroupDriver(TaskAttemptId attempt, Serde<K> keySerde, Serde<V> valueSerde,
      KeyGrouping grouping, Runnable onProgress) {
    this.attempt = attempt;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.grouping = grouping;
    this.onProgress = onProgress;
  }

  public long groups() {
    return groups;
  }

  public long records() {
    return records;
  }

  /**
   * Calls {@code reducer.reduce} once per group of {@code in}. Exceptions from the reducer
   * propagate unchanged; the engine's own I/O errors come out as {@link IOException}, a kill as
   * {@link InterruptedException}.
   */
  public <KO, VO> void run(RecordStream in, Reducer<K, V, KO, VO> reducer, Context<KO, VO> ctx)
      throws Exception {
    boolean has = in.next();
    try {
      while (has) {
        if (groupKey.length < in.keyLen()) {
          groupKey = new byte[Math.max(in.keyLen(), groupKey.length * 2)];
        }
        System.arraycopy(in.keyBuf(), in.keyOff(), groupKey, 0, in.keyLen());
        groupKeyLen = in.keyLen();
        keyIn.setBuffer(groupKey, 0, groupKeyLen);
        K key = keySerde.read(keyIn);
        Values values = new Values(in);
        groups++;
        reducer.reduce(key, values, ctx);
        values.done = true;
        while (values.advance()) {
          values.pending = false;
          if ((++records & 4095) == 0) {
            Interrupts.check(attempt);
          }
        }
        has = !values.streamEnded;
      }
    } catch (EngineIOException e) {
      throw e.getCause();
    } catch (Interrupts.Killed e) {
      throw new InterruptedException(e.getMessage());
    }
  }

  /** One group's values: iterable once, lazily read from the stream. */
  private final class Values implements Iterable<V>, Iterator<V> {
    private final RecordStream in;
    private boolean pending = true;
    private boolean groupEnded;
    private boolean streamEnded;
    private boolean iterated;
    private boolean done;

    Values(RecordStream in) {
      this.in = in;
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

    /** Moves to the group's next record if there is one; true when one is pending. */
    boolean advance() {
      if (pending) {
        return true;
      }
      if (groupEnded) {
        return false;
      }
      try {
        if (!in.next()) {
          streamEnded = true;
          groupEnded = true;
          return false;
        }
      } catch (IOException e) {
        throw new EngineIOException(e);
      }
      if (grouping.sameGroup(groupKey, 0, groupKeyLen, in.keyBuf(), in.keyOff(), in.keyLen())) {
        pending = true;
        return true;
      }
      groupEnded = true;
      return false;
    }

    @Override
    public boolean hasNext() {
      return !done && advance();
    }

    @Override
    public V next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      pending = false;
      if ((++records & 4095) == 0) {
        if (Thread.currentThread().isInterrupted()) {
          Thread.interrupted();
          throw new Interrupts.Killed(attempt);
        }
        onProgress.run();
      }
      int vl = in.valLen();
      if (vl < 0) {
        return null;
      }
      valIn.setBuffer(in.valBuf(), in.valOff(), vl);
      return valueSerde.read(valIn);
    }
  }
}
