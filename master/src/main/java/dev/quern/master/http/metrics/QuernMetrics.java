package dev.quern.master.http.metrics;

import dev.quern.master.http.MonitoringSource;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import java.util.List;
import java.util.Map;

/**
 * Job, task, worker and shuffle metrics, computed at scrape time from a {@link MonitoringSource}.
 */
public final class QuernMetrics implements MetricsCollector {
  /** Task attempt duration buckets, in seconds. */
  private static final double[] DURATION_BOUNDS =
      {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};

  private final MonitoringSource source;

  public QuernMetrics(MonitoringSource source) {
    this.source = source;
  }

  @Override
  public void collect(PrometheusWriter out) {
    ClusterDoc cluster = source.cluster();
    out.family("quern_jobs", "gauge", "Jobs by state.");
    cluster.totals().jobsByState().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.sample("quern_jobs", Map.of("state", e.getKey()), e.getValue()));
    out.gauge("quern_workers", "Registered workers.", cluster.workers().size());
    out.gauge("quern_slots", "Task slots over all workers.", cluster.totals().slots());
    out.gauge("quern_slots_busy", "Task slots running an attempt.", cluster.totals().busySlots());

    int runningMaps = 0;
    int runningReduces = 0;
    long shuffleBytes = 0;
    Histogram mapDurations = new Histogram(DURATION_BOUNDS);
    Histogram reduceDurations = new Histogram(DURATION_BOUNDS);
    for (JobDoc job : source.jobs()) {
      shuffleBytes += job.counters().getOrDefault("quern", Map.of())
          .getOrDefault("SHUFFLE_BYTES", 0L);
      List<TaskDoc> tasks = source.tasks(job.id()).orElse(List.of());
      for (TaskDoc t : tasks) {
        boolean map = t.kind().equals("MAP");
        for (AttemptDoc a : t.attempts()) {
          if (a.endTime() == null) {
            if (a.state().equals("RUNNING")) {
              if (map) {
                runningMaps++;
              } else {
                runningReduces++;
              }
            }
          } else if (a.startTime() != null) {
            double seconds = (a.endTime() - a.startTime()) / 1000.0;
            (map ? mapDurations : reduceDurations).observe(seconds);
          }
        }
      }
    }
    out.family("quern_tasks_running", "gauge", "Task attempts running now, by kind.");
    out.sample("quern_tasks_running", Map.of("kind", "map"), runningMaps);
    out.sample("quern_tasks_running", Map.of("kind", "reduce"), runningReduces);
    out.family("quern_task_duration_seconds", "histogram",
        "Durations of finished task attempts, by kind.");
    mapDurations.write(out, "quern_task_duration_seconds", Map.of("kind", "map"));
    reduceDurations.write(out, "quern_task_duration_seconds", Map.of("kind", "reduce"));
    out.family("quern_shuffle_bytes_total", "counter",
        "Bytes reduce tasks read from map outputs, over all known jobs.");
    out.sample("quern_shuffle_bytes_total", shuffleBytes);
  }
}
