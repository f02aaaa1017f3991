package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import java.util.List;
import java.util.Map;

/**
 * A whole job, for monitoring: an immutable snapshot that the master publishes after each change.
 * Times are epoch milliseconds, -1 when not reached yet.
 */
public record JobView(String id, String name, String user, JobState state, long submitTime,
    long startTime, long endTime, double mapProgress, double reduceProgress,
    Map<String, Map<String, Long>> counters, String failure, String outputPath,
    List<TaskView> maps, List<TaskView> reduces) {

  public JobView {
    counters = Counters.of(counters).asMap();
    maps = List.copyOf(maps);
    reduces = List.copyOf(reduces);
  }

  public JobStatus toStatus() {
    return new JobStatus(id, name, state, mapProgress, reduceProgress, Counters.of(counters),
        failure);
  }
}
