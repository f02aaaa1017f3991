package dev.quern.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the engine needs to run a job, with user classes named rather than held, so that the
 * spec can travel to masters and workers that load the classes from the job's jar.
 *
 * <p>Built by {@link Job.Builder}; the engine reads it. Optional classes are null when absent.
 *
 * @param name a human-readable job name
 * @param user who submitted the job
 * @param jar path of the job jar the classes load from, or null when they are on the classpath
 * @param inputPaths files or directories to read
 * @param outputPath directory to create with the job's output
 * @param inputFormat an {@link dev.quern.api.io.InputFormat} class name
 * @param outputFormat an {@link dev.quern.api.io.OutputFormat} class name
 * @param mapper a {@link Mapper} class name
 * @param combiner a {@link Reducer} class name run on map output, or null
 * @param reducer a {@link Reducer} class name, or null for the identity reduce
 * @param partitioner a {@link Partitioner} class name
 * @param reduceTasks number of reduce tasks; 0 makes a map-only job
 * @param mapOutputKeyClass class of the keys the mapper emits
 * @param mapOutputValueClass class of the values the mapper emits
 * @param outputKeyClass class of the keys the job writes
 * @param outputValueClass class of the values the job writes
 * @param sortComparator a {@code java.util.Comparator} of map output keys, or null for the key
 *     type's natural order
 * @param groupingComparator a comparator that decides which sorted keys share one reduce call, or
 *     null to group by the sort comparator
 * @param config configuration entries
 */
public record JobSpec(
    String name,
    String user,
    String jar,
    List<String> inputPaths,
    String outputPath,
    String inputFormat,
    String outputFormat,
    String mapper,
    String combiner,
    String reducer,
    String partitioner,
    int reduceTasks,
    String mapOutputKeyClass,
    String mapOutputValueClass,
    String outputKeyClass,
    String outputValueClass,
    String sortComparator,
    String groupingComparator,
    Map<String, String> config) {

  public JobSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(outputPath, "output path");
    Objects.requireNonNull(inputFormat, "input format");
    Objects.requireNonNull(outputFormat, "output format");
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(partitioner, "partitioner");
    Objects.requireNonNull(mapOutputKeyClass, "map output key class");
    Objects.requireNonNull(mapOutputValueClass, "map output value class");
    Objects.requireNonNull(outputKeyClass, "output key class");
    Objects.requireNonNull(outputValueClass, "output value class");
    if (reduceTasks < 0) {
      throw new IllegalArgumentException("reduce tasks must be >= 0, got " + reduceTasks);
    }
    inputPaths = List.copyOf(inputPaths);
    config = Map.copyOf(config);
  }

  public Configuration configuration() {
    return Configuration.of(config);
  }

  /** The same spec with another jar path (the runtime sets it at submission). */
  public JobSpec withJar(String jarPath) {
    return new JobSpec(name, user, jarPath, inputPaths, outputPath, inputFormat, outputFormat,
        mapper, combiner, reducer, partitioner, reduceTasks, mapOutputKeyClass,
        mapOutputValueClass, outputKeyClass, outputValueClass, sortComparator,
        groupingComparator, config);
  }
}
