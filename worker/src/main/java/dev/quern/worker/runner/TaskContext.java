package dev.quern.worker.runner;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.task.TaskAttemptId;
import java.util.function.BiConsumer;

/**
 * The {@link Context} a mapper, combiner or reducer sees; emits go to the given sink. Only a map
 * task's context knows a split: combiners and reducers are built without one.
 */
public final class TaskContext<K, V> implements Context<K, V> {
  private final TaskAttemptId attempt;
  private final int reduceTasks;
  private final Configuration conf;
  private final AttemptCounters counters;
  private final ProgressTracker progress;
  private final BiConsumer<K, V> sink;
  private final InputSplit split;

  /** A context that reads no split: a combiner's or a reducer's. */
  public TaskContext(TaskAttemptId attempt, int reduceTasks, Configuration conf,
      AttemptCounters counters, ProgressTracker progress, BiConsumer<K, V> sink) {
    this(attempt, reduceTasks, conf, counters, progress, sink, null);
  }

  /** A map task's context over {@code split}. */
  public TaskContext(TaskAttemptId attempt, int reduceTasks, Configuration conf,
      AttemptCounters counters, ProgressTracker progress, BiConsumer<K, V> sink,
      InputSplit split) {
    this.attempt = attempt;
    this.reduceTasks = reduceTasks;
    this.conf = conf;
    this.counters = counters;
    this.progress = progress;
    this.sink = sink;
    this.split = split;
  }

  @Override
  public void emit(K key, V value) {
    sink.accept(key, value);
  }

  @Override
  public Configuration configuration() {
    return conf;
  }

  @Override
  public Counter counter(String group, String name) {
    return counters.user(group, name);
  }

  @Override
  public void progress() {
    progress.ping();
  }

  @Override
  public String attemptId() {
    return attempt.toString();
  }

  @Override
  public int taskIndex() {
    return attempt.taskIndex();
  }

  @Override
  public int reduceTasks() {
    return reduceTasks;
  }

  @Override
  public InputSplit inputSplit() {
    return split;
  }
}
