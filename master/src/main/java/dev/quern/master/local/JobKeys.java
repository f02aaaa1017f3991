package dev.quern.master.local;

import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.TextInputFormat;
import dev.quern.api.io.TextOutputFormat;
import dev.quern.api.io.binary.BinaryFormat;
import dev.quern.master.engine.EngineKeys;
import dev.quern.worker.runner.DataPathConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code quern.*} configuration keys a job may set, the reduce-task count as a key, and the
 * near miss of an unknown key ("did you mean").
 */
public final class JobKeys {
  /**
   * Overrides the job's {@code reduceTasks(n)}: {@code -Dquern.reduce.tasks=4} on the command
   * line wins over the driver, as {@code -D} does for every key.
   */
  public static final String REDUCE_TASKS = "quern.reduce.tasks";
  /** Hadoop's name for {@link #REDUCE_TASKS}, accepted as well (ours wins if both are set). */
  public static final String HADOOP_REDUCE_TASKS = "mapreduce.job.reduces";

  /** Every key the engine and the bundled formats read. */
  public static final List<String> KNOWN = List.of(
      REDUCE_TASKS,
      FileInputFormat.SPLIT_SIZE,
      dev.quern.api.io.CombinedSplits.COMBINE,
      dev.quern.api.io.CombinedSplits.MAX_SIZE,
      TextInputFormat.CHARSET,
      TextOutputFormat.SEPARATOR,
      DataPathConfig.SORT_BUFFER_SIZE,
      DataPathConfig.COMPRESS,
      DataPathConfig.HASH_COMBINE,
      DataPathConfig.FOLD_AT,
      DataPathConfig.OBJECT_COMBINE,
      DataPathConfig.COMBINE_MIN_SPILLS,
      DataPathConfig.MERGE_FACTOR,
      DataPathConfig.OLD_MERGE_FACTOR,
      DataPathConfig.MAX_RECORD_SIZE,
      DataPathConfig.SHUFFLE_MEMORY,
      dev.quern.worker.shuffle.FetchConfig.PARALLEL_COPIES,
      dev.quern.worker.shuffle.FetchConfig.RETRIES,
      dev.quern.worker.shuffle.FetchConfig.RETRY_BACKOFF_MS,
      EngineKeys.MAX_ATTEMPTS,
      EngineKeys.SPECULATIVE,
      EngineKeys.SPECULATION,
      EngineKeys.SPECULATION_MULTIPLIER,
      EngineKeys.SPECULATION_QUANTILE,
      EngineKeys.SPECULATION_MIN_RUNTIME,
      EngineKeys.SPECULATION_TASK_DURATION_THRESHOLD,
      EngineKeys.EXCLUDE_AFTER_FAILURES,
      EngineKeys.LOCALITY_WAIT,
      EngineKeys.REDUCE_SLOWSTART,
      EngineKeys.TASK_TIMEOUT,
      dev.quern.worker.executor.ExecutorKeys.MEMORY,
      BinaryFormat.OUTPUT_KEY_CLASS,
      BinaryFormat.OUTPUT_VALUE_CLASS,
      BinaryFormat.OUTPUT_COMPRESSION,
      BinaryFormat.OUTPUT_BLOCK_SIZE,
      BinaryFormat.INPUT_KEY_CLASS,
      BinaryFormat.INPUT_VALUE_CLASS,
      OutputCommitters.KEY,
      dev.quern.master.cluster.SubmissionIds.KEY,
      // formats-parquet's ParquetConfig (a module the master does not depend on)
      "quern.parquet.schema",
      "quern.parquet.compression",
      "quern.parquet.row-group-size",
      "quern.parquet.columns",
      "quern.parquet.expected-schema");

  /** Settings handed to Hadoop's client (fs-hadoop's HadoopSettings); Hadoop checks them. */
  private static final String HADOOP = "quern.hadoop.";

  /** JVM properties, not job settings: a job entry of that name does nothing. */
  private static final Map<String, String> JVM_PROPERTIES = Map.of(
      "quern.history.dir", "use --history DIR, or QUERN_JAVA_OPTS=-Dquern.history.dir=DIR",
      "quern.examples.jar", "set it in QUERN_JAVA_OPTS");

  private JobKeys() {}

  /**
   * A warning for each {@code quern.*} key of {@code config} that nothing reads, naming the
   * closest known key when one is near (a typo), in key order; empty when all are known.
   */
  public static List<String> unknownKeyWarnings(Map<String, String> config) {
    return new TreeMap<>(config).keySet().stream()
        .filter(k -> k.startsWith("quern.") && !KNOWN.contains(k) && !k.startsWith(HADOOP))
        .map(JobKeys::warning)
        .toList();
  }

  private static String warning(String key) {
    String jvm = JVM_PROPERTIES.get(key);
    if (jvm != null) {
      return "configuration key '" + key + "' is a JVM property, not a job setting: " + jvm;
    }
    return "unknown configuration key '" + key + "' is ignored"
        + closest(key).map(k -> " (did you mean '" + k + "'?)").orElse("");
  }

  /** The known key nearest to {@code key} in edit distance, if within a third of its length. */
  static Optional<String> closest(String key) {
    String best = KNOWN.stream()
        .min(Comparator.comparingInt((String k) -> distance(key, k)).thenComparing(k -> k))
        .orElseThrow();
    return distance(key, best) <= Math.max(2, best.length() / 3) ? Optional.of(best)
        : Optional.empty();
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * The spec with its reduce-task count taken from {@link #REDUCE_TASKS} (or {@link
   * #HADOOP_REDUCE_TASKS}) when the configuration sets it. Throws {@link JobSubmissionException}
   * naming the key for a value that is not a whole number from 0 up.
   */
  static JobSpec applyReduceTasks(JobSpec spec) {
    String key = spec.config().containsKey(REDUCE_TASKS) ? REDUCE_TASKS
        : spec.config().containsKey(HADOOP_REDUCE_TASKS) ? HADOOP_REDUCE_TASKS : null;
    if (key == null) {
      return spec;
    }
    String text = spec.config().get(key).trim();
    int n;
    try {
      n = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || n > 100_000) {
      throw new JobSubmissionException("configuration entry '" + key
          + "' must be a number of reduce tasks from 0 to 100000, got '" + text + "'");
    }
    if (n == spec.reduceTasks()) {
      return spec;
    }
    return new JobSpec(spec.name(), spec.user(), spec.jar(), spec.inputPaths(),
        spec.outputPath(), spec.inputFormat(), spec.outputFormat(), spec.mapper(),
        spec.combiner(), spec.reducer(), spec.partitioner(), n, spec.mapOutputKeyClass(),
        spec.mapOutputValueClass(), spec.outputKeyClass(), spec.outputValueClass(),
        spec.sortComparator(), spec.groupingComparator(), spec.config());
  }
}
