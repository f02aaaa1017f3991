package dev.quern.api;

import dev.quern.api.io.InputFormat;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.TextInputFormat;
import dev.quern.api.io.TextOutputFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job to run: built in the driver (the user's {@code main}), then submitted.
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *   Job job = Job.builder("wordcount")
 *       .input(args[0]).output(args[1])
 *       .mapper(TokenizerMapper.class)
 *       .combiner(SumReducer.class)
 *       .reducer(SumReducer.class)
 *       .mapOutput(String.class, Long.class)
 *       .output(String.class, Long.class)
 *       .reduceTasks(2)
 *       .build();
 *   System.exit(job.waitForCompletion().succeeded() ? 0 : 1);
 * }
 * }</pre>
 *
 * <p>Defaults, as in Hadoop: text lines in ({@link TextInputFormat}), {@code key<TAB>value} lines
 * out ({@link TextOutputFormat}), hash partitioning, one reduce task, the identity reducer, and
 * output types equal to the map output types.
 */
public final class Job {
  private final JobSpec spec;

  private Job(JobSpec spec) {
    this.spec = spec;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Wraps an existing spec, e.g. one read back from a job history. */
  public static Job of(JobSpec spec) {
    return new Job(spec);
  }

  public JobSpec spec() {
    return spec;
  }

  /** Submits to the runtime's cluster ({@link JobSubmitter#current()}). */
  public JobHandle submit() {
    return submit(JobSubmitter.current());
  }

  public JobHandle submit(JobSubmitter submitter) {
    return submitter.submit(spec);
  }

  /** Submits, then blocks until the job ends. */
  public JobStatus waitForCompletion() throws InterruptedException {
    return submit().awaitCompletion();
  }

  /** Builds a {@link Job}; every setter returns the builder. */
  public static final class Builder {
    private final String name;
    private String user = System.getProperty("user.name", "unknown");
    private final List<String> inputs = new ArrayList<>();
    private String output;
    private String inputFormat = TextInputFormat.class.getName();
    private String outputFormat = TextOutputFormat.class.getName();
    private String mapper;
    private String combiner;
    private String reducer;
    private String partitioner = HashPartitioner.class.getName();
    private int reduceTasks = 1;
    private String mapKey;
    private String mapValue;
    private String outKey;
    private String outValue;
    private String sortComparator;
    private String groupingComparator;
    private final Map<String, String> config = new LinkedHashMap<>();

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a job needs a name");
      }
      this.name = name;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** Adds input files or directories (a directory means its files, minus _ and . names). */
    public Builder input(String... paths) {
      inputs.addAll(List.of(paths));
      return this;
    }

    /** The output directory; it must not exist yet. */
    public Builder output(String path) {
      this.output = path;
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder inputFormat(Class<? extends InputFormat> format) {
      this.inputFormat = format.getName();
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder outputFormat(Class<? extends OutputFormat> format) {
      this.outputFormat = format.getName();
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder mapper(Class<? extends Mapper> mapper) {
      this.mapper = mapper.getName();
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder combiner(Class<? extends Reducer> combiner) {
      this.combiner = combiner.getName();
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder reducer(Class<? extends Reducer> reducer) {
      this.reducer = reducer.getName();
      return this;
    }

    @SuppressWarnings("rawtypes")
    public Builder partitioner(Class<? extends Partitioner> partitioner) {
      this.partitioner = partitioner.getName();
      return this;
    }

    /** Number of reduce tasks; 0 makes a map-only job whose map output is the job's output. */
    public Builder reduceTasks(int n) {
      this.reduceTasks = n;
      return this;
    }

    /** Key and value classes the mapper emits. */
    public Builder mapOutput(Class<?> key, Class<?> value) {
      this.mapKey = key.getName();
      this.mapValue = value.getName();
      return this;
    }

    /** Key and value classes the job writes; default: the map output classes. */
    public Builder output(Class<?> key, Class<?> value) {
      this.outKey = key.getName();
      this.outValue = value.getName();
      return this;
    }

    /** Orders map output keys; default: the key class's natural order. */
    @SuppressWarnings("rawtypes")
    public Builder sortComparator(Class<? extends Comparator> comparator) {
      this.sortComparator = comparator.getName();
      return this;
    }

    /**
     * Decides which consecutive sorted keys form one reduce group (secondary sort); default: keys
     * equal under the sort comparator.
     */
    @SuppressWarnings("rawtypes")
    public Builder groupingComparator(Class<? extends Comparator> comparator) {
      this.groupingComparator = comparator.getName();
      return this;
    }

    /** Sets a configuration entry, for the job's own code or for the engine. */
    public Builder set(String key, String value) {
      config.put(key, value);
      return this;
    }

    public Builder set(String key, long value) {
      return set(key, Long.toString(value));
    }

    public Builder configure(Map<String, String> entries) {
      config.putAll(entries);
      return this;
    }

    /** Checks that the required parts are there; fails naming the first missing one. */
    public Job build() {
      if (mapper == null) {
        throw new IllegalArgumentException("job '" + name + "' has no mapper");
      }
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("job '" + name + "' has no input path");
      }
      if (output == null) {
        throw new IllegalArgumentException("job '" + name + "' has no output path");
      }
      if (mapKey == null) {
        throw new IllegalArgumentException(
            "job '" + name + "' does not say its map output classes: call mapOutput(key, value)");
      }
      String ok = outKey == null ? mapKey : outKey;
      String ov = outValue == null ? mapValue : outValue;
      return new Job(new JobSpec(name, user, null, inputs, output, inputFormat, outputFormat,
          mapper, combiner, reducer, partitioner, reduceTasks, mapKey, mapValue, ok, ov,
          sortComparator, groupingComparator, config));
    }
  }
}
