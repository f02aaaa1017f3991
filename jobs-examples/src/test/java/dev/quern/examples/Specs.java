package dev.quern.examples;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import java.util.HashMap;
import java.util.Map;

/** Test helper: the same job with extra configuration, e.g. a small split size. */
final class Specs {
  private Specs() {}

  static Job with(Job job, String key, String value) {
    JobSpec s = job.spec();
    Map<String, String> conf = new HashMap<>(s.config());
    conf.put(key, value);
    return Job.of(new JobSpec(s.name(), s.user(), s.jar(), s.inputPaths(), s.outputPath(),
        s.inputFormat(), s.outputFormat(), s.mapper(), s.combiner(), s.reducer(),
        s.partitioner(), s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(),
        s.outputKeyClass(), s.outputValueClass(), s.sortComparator(), s.groupingComparator(),
        conf));
  }
}
