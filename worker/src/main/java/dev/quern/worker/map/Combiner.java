package dev.quern.worker.map;

import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.serde.Serde;
import dev.quern.worker.reduce.GroupDriver;
import dev.quern.worker.reduce.KeyGrouping;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.EngineIOException;
import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.runner.ProgressTracker;
import dev.quern.worker.runner.TaskContext;
import dev.quern.worker.spill.RecordSink;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * Runs the job's combiner over a sorted stream (a spill, or a merge of spills), grouping keys
 * equal under the sort order, and writes what it emits, serialized, to a sink.
 */
final class Combiner<K, V> {
  private final TaskAttemptId attempt;
  private final int reduceTasks;
  private final Callable<Reducer<K, V, K, V>> factory;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final KeyGrouping grouping;
  private final AttemptCounters counters;
  private final ProgressTracker progress;
  private final dev.quern.api.Configuration conf;
  private final Output keyOut = new Output(256, -1);
  private final Output valOut = new Output(256, -1);
  /** A spill's keys, read a batch ahead of the combiner calls (ObjectCombineTable#gather). */
  private final ObjectCombineTable.Batch batch = new ObjectCombineTable.Batch();
  private Reducer<K, V, K, V> folder;
  private TaskContext<K, V> foldCtx;
  private GroupDriver<K, V> foldDriver;
  private Emitter foldEmitter;

  Combiner(TaskAttemptId attempt, int reduceTasks, dev.quern.api.Configuration conf,
      Callable<Reducer<K, V, K, V>> factory, Serde<K> keySerde, Serde<V> valueSerde,
      KeyGrouping grouping, AttemptCounters counters, ProgressTracker progress) {
    this.attempt = attempt;
    this.reduceTasks = reduceTasks;
    this.conf = conf;
    this.factory = factory;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.grouping = grouping;
    this.counters = counters;
    this.progress = progress;
  }

  /** Combines {@code in} into {@code out}; returns the number of records written. */
  long run(RecordStream in, RecordSink out) throws Exception {
    Emitter emitter = new Emitter();
    emitter.out = out;
    TaskContext<K, V> ctx = new TaskContext<>(attempt, reduceTasks, conf, counters, progress,
        emitter);
    Reducer<K, V, K, V> combiner = factory.call();
    GroupDriver<K, V> driver =
        new GroupDriver<>(attempt, keySerde, valueSerde, grouping, progress::ping);
    try {
      combiner.setup(ctx);
      driver.run(in, combiner, ctx);
      combiner.cleanup(ctx);
    } catch (EngineIOException e) {
      throw e.getCause();
    }
    counters.add(TaskCounter.COMBINE_INPUT_RECORDS, driver.records());
    counters.add(TaskCounter.COMBINE_OUTPUT_RECORDS, emitter.written);
    return emitter.written;
  }

  /**
   * Combines one key's pile of values in the sort buffer. Folds happen thousands of times per
   * attempt, so they share one combiner instance (set up at the first fold, cleaned up by {@link
   * #endFolds}), one context and one group driver.
   */
  long fold(RecordStream in, RecordSink out) throws Exception {
    startFolds(out, null);
    foldEmitter.out = out;
    long before = foldEmitter.written;
    long read = foldDriver.records();
    foldDriver.run(in, folder, foldCtx);
    counters.add(TaskCounter.COMBINE_INPUT_RECORDS, foldDriver.records() - read);
    long written = foldEmitter.written - before;
    counters.add(TaskCounter.COMBINE_OUTPUT_RECORDS, written);
    return written;
  }

  /** Creates and sets up the folding combiner at the first fold; its setup emits to the sinks. */
  private void startFolds(RecordSink out, BiConsumer<K, V> objects) throws Exception {
    if (folder != null) {
      return;
    }
    foldEmitter = new Emitter();
    foldCtx = new TaskContext<>(attempt, reduceTasks, conf, counters, progress, foldEmitter);
    foldDriver = new GroupDriver<>(attempt, keySerde, valueSerde, grouping, progress::ping);
    Reducer<K, V, K, V> created = factory.call();
    foldEmitter.out = out;
    foldEmitter.objects = objects;
    try {
      created.setup(foldCtx);
    } catch (EngineIOException e) {
      throw e.getCause();
    }
    folder = created;
  }

  /**
   * Combines one key's pending objects through the folding combiner (shared with {@link #fold});
   * what it emits goes to {@code out} as objects. Returns the number of records emitted.
   */
  long foldObjects(K key, PendingValues<V> values, int count, BiConsumer<K, V> out)
      throws Exception {
    startFolds(null, out);
    foldEmitter.objects = out;
    long before = foldEmitter.written;
    try {
      folder.reduce(key, values, foldCtx);
    } catch (EngineIOException e) {
      throw e.getCause();
    } finally {
      values.close();
    }
    counters.add(TaskCounter.COMBINE_INPUT_RECORDS, count);
    long written = foldEmitter.written - before;
    counters.add(TaskCounter.COMBINE_OUTPUT_RECORDS, written);
    return written;
  }

  /**
   * Combines each key of {@code table} at {@code ids[from, to)} (sorted) over its pending values,
   * through a fresh combiner as {@link #run} does, writing what it emits to {@code out}; returns
   * the number of records written. An empty range runs no combiner (as Hadoop's spill skips the
   * combiner for a partition with no records): a small map of a job with many reduces has most
   * partitions empty, and a combiner created, set up and cleaned up for each of them (with its
   * context and the batch's clearing) was a quarter of such a map's time.
   */
  @SuppressWarnings("unchecked")
  long runObjects(ObjectCombineTable table, int[] ids, int from, int to,
      PendingValues<V> values, RecordSink out) throws Exception {
    if (from >= to) {
      return 0;
    }
    Emitter emitter = new Emitter();
    emitter.out = out;
    TaskContext<K, V> ctx = new TaskContext<>(attempt, reduceTasks, conf, counters, progress,
        emitter);
    Reducer<K, V, K, V> combiner = factory.call();
    long read = 0;
    long checked = 0;
    ObjectCombineTable.Batch batch = this.batch;
    try {
      combiner.setup(ctx);
      for (int base = from; base < to; base += ObjectCombineTable.Batch.SIZE) {
        int m = table.gather(ids, base, Math.min(to, base + ObjectCombineTable.Batch.SIZE), batch);
        for (int j = 0; j < m; j++) {
          int n = batch.count(j);
          batch.show(j, values);
          try {
            combiner.reduce((K) batch.keys[j], values, ctx);
          } finally {
            values.close();
          }
          read += n;
          if (read - checked >= 4096) {
            checked = read;
            Interrupts.check(attempt);
            progress.ping();
          }
        }
      }
      combiner.cleanup(ctx);
    } catch (EngineIOException e) {
      throw e.getCause();
    } finally {
      batch.clear();
    }
    counters.add(TaskCounter.COMBINE_INPUT_RECORDS, read);
    counters.add(TaskCounter.COMBINE_OUTPUT_RECORDS, emitter.written);
    return emitter.written;
  }

  /** Cleans up the folding combiner, if any fold ran; what its cleanup emits goes to {@code out}. */
  long endFolds(RecordSink out) throws Exception {
    return endFolds(out, null);
  }

  /** As {@link #endFolds(RecordSink)}, for folds of objects: the cleanup emits objects. */
  long endFoldObjects(BiConsumer<K, V> out) throws Exception {
    return endFolds(null, out);
  }

  private long endFolds(RecordSink out, BiConsumer<K, V> objects) throws Exception {
    if (folder == null) {
      return 0;
    }
    Reducer<K, V, K, V> f = folder;
    folder = null;
    foldEmitter.out = out;
    foldEmitter.objects = objects;
    long before = foldEmitter.written;
    try {
      f.cleanup(foldCtx);
    } catch (EngineIOException e) {
      throw e.getCause();
    }
    long written = foldEmitter.written - before;
    counters.add(TaskCounter.COMBINE_OUTPUT_RECORDS, written);
    return written;
  }

  /** Serializes what a combiner emits into the current sink, or passes the objects on. */
  private final class Emitter implements BiConsumer<K, V> {
    RecordSink out;
    /** When set, emitted records go here as objects instead of to {@link #out}. */
    BiConsumer<K, V> objects;
    long written;

    @Override
    public void accept(K k, V v) {
      if (k == null) {
        throw new NullPointerException("the combiner of " + attempt + " emitted a null key");
      }
      if (objects != null) {
        objects.accept(k, v);
        written++;
        return;
      }
      keyOut.reset();
      keySerde.write(k, keyOut);
      int vl = -1;
      valOut.reset();
      if (v != null) {
        valueSerde.write(v, valOut);
        vl = valOut.position();
      }
      try {
        out.write(keyOut.getBuffer(), 0, keyOut.position(), valOut.getBuffer(), 0, vl);
      } catch (IOException e) {
        throw new EngineIOException(e);
      }
      written++;
    }
  }
}
