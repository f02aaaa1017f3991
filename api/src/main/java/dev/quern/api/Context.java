package dev.quern.api;

/**
 * What a {@link Mapper} or {@link Reducer} sees of its task: where to emit records, the job's
 * configuration, counters and progress.
 *
 * <pre>{@code
 * public void map(Long offset, String line, Context<String, Long> ctx) {
 *   if (line.isBlank()) { ctx.counter("input", "blank-lines").increment(1); return; }
 *   ctx.emit(line.trim(), 1L);
 * }
 * }</pre>
 *
 * @param <K> the key type this task emits
 * @param <V> the value type this task emits
 */
public interface Context<K, V> {

  /**
   * Emits one record. The engine serializes the key and value before returning, so the caller may
   * reuse both objects. Keys must not be null.
   */
  void emit(K key, V value);

  /** The job's configuration entries. */
  Configuration configuration();

  /** A counter of this task attempt, created at zero on first use. */
  Counter counter(String group, String name);

  /** Tells the engine the task is alive during long work between emits. */
  void progress();

  /** Identifies this attempt, e.g. {@code job-3/m-00002/1}. */
  String attemptId();

  /** Index of this task among the job's map (or reduce) tasks. */
  int taskIndex();

  /** Number of reduce tasks of the job (0 for a map-only job). */
  int reduceTasks();
}
