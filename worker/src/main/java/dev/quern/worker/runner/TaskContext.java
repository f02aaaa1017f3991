package dev.quern.worker.runner;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.worker.task.TaskAttemptId;
import java.util.function.BiConsumer;

/** The {@link Context} a mapper, combiner or reducer sees; emits go to the given sink. */
public final class TaskContext<K, V> implements Context<K, V> {
  private final TaskAttemptId attempt;
  private final int reduceTasks;
  private final Configuration conf;
  private final AttemptCounters counters;
  private final ProgressTracker progress;
  private final BiConsumer<K, V> sink;

  public TaskContext(TaskAttemptId attempt, int reduceTasks, Configuration conf,
      AttemptCounters counters, ProgressTracker progress, BiConsumer<K, V> sink) {
    this.attempt = attempt;
    this.reduceTasks = reduceTasks;
    this.conf = conf;
    this.counters = counters;
    this.progress = progress;
    this.sink = sink;
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
}
