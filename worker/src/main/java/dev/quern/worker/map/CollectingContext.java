package dev.quern.worker.map;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.runner.CarriedException;
import dev.quern.worker.runner.EngineIOException;
import dev.quern.worker.runner.TaskContext;
import java.io.IOException;

/**
 * A map task's context whose emits go straight to its {@link MapOutputCollector}. Its own class,
 * rather than a {@link TaskContext} over a sink, so that the mapper's emit call reaches the
 * collector through calls the JIT sees one receiver class at, and can inline.
 */
final class CollectingContext<K, V> implements Context<K, V> {
  private final TaskContext<K, V> task;
  private final MapOutputCollector<K, V> collector;
  private final Class<?> keyClass;
  private final Class<?> valueClass;

  /**
   * @param task answers everything but {@link #emit}
   * @param keyClass the job's declared map output key class: emitted keys must be exactly of it
   * @param valueClass the same for values (null values pass)
   */
  CollectingContext(TaskContext<K, V> task, MapOutputCollector<K, V> collector,
      Class<?> keyClass, Class<?> valueClass) {
    this.task = task;
    this.collector = collector;
    this.keyClass = keyClass;
    this.valueClass = valueClass;
  }

  @Override
  public void emit(K key, V value) {
    // Two class compares a record: records are read back as the declared classes, so anything
    // else would fail later with a bare ClassCastException, or decode wrongly (a subclass).
    if (key != null && key.getClass() != keyClass) {
      throw MapOutputTypeException.of("key", key.getClass(), keyClass);
    }
    if (value != null && value.getClass() != valueClass) {
      throw MapOutputTypeException.of("value", value.getClass(), valueClass);
    }
    try {
      collector.collect(key, value);
    } catch (IOException e) {
      throw new EngineIOException(e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CarriedException(e);
    }
  }

  @Override
  public Configuration configuration() {
    return task.configuration();
  }

  @Override
  public Counter counter(String group, String name) {
    return task.counter(group, name);
  }

  @Override
  public void progress() {
    task.progress();
  }

  @Override
  public String attemptId() {
    return task.attemptId();
  }

  @Override
  public int taskIndex() {
    return task.taskIndex();
  }

  @Override
  public int reduceTasks() {
    return task.reduceTasks();
  }

  @Override
  public InputSplit inputSplit() {
    return task.inputSplit();
  }
}
