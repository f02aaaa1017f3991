package dev.quern.master.http.metrics;

import static dev.quern.master.http.metrics.Families.counter;
import static dev.quern.master.http.metrics.Families.gauge;

import dev.quern.master.http.MonitoringSource;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job, task, scheduler, worker and shuffle metrics, computed at scrape time from a {@link
 * MonitoringSource} (the engine's published views): nothing is counted on the engine's paths.
 *
 * <p>The scheduler's counts come from the attempts of each task, oldest first: an attempt after
 * the first is <em>speculated</em> when an earlier attempt of its task was still running when it
 * started, else <em>retried</em> (every earlier one had failed, been killed, or lost its output).
 * Counters stay monotonic when a job leaves the source (cluster mode's retention): the last
 * counts seen of a job that is gone are carried over.
 */
public final class QuernMetrics implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(QuernMetrics.class);
  /** Task attempt duration buckets, in seconds. */
  private static final double[] DURATION_BOUNDS =
      {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
  private static final int MAP = 0;
  private static final int REDUCE = 1;

  private final MonitoringSource source;
  /** The last counts of each job seen, and the sum of those of jobs gone since. */
  private final Map<String, JobCounts> seen = new HashMap<>();
  private final JobCounts gone = new JobCounts();

  public QuernMetrics(MonitoringSource source) {
    this.source = source;
  }

  @Override
  public synchronized MetricSnapshots collect() {
    try {
      return scrape();
    } catch (RuntimeException e) {
      // The cluster is starting or closing: the other collectors (JVM, Raft) still report.
      log.debug("job metrics unavailable: {}", e.toString());
      return MetricSnapshots.of();
    }
  }

  private MetricSnapshots scrape() {
    ClusterDoc cluster = source.cluster();
    int[] running = new int[2];
    int[] pending = new int[2];
    long[][] durations = new long[2][DURATION_BOUNDS.length + 1];
    double[] durationSums = new double[2];
    Set<String> present = new HashSet<>();
    JobCounts total = new JobCounts();
    total.add(gone);
    for (JobDoc job : source.jobs()) {
      JobCounts counts = new JobCounts();
      counts.shuffleBytes = job.counters().getOrDefault("quern", Map.of())
          .getOrDefault("SHUFFLE_BYTES", 0L);
      for (TaskDoc t : source.tasks(job.id()).orElse(List.of())) {
        int kind = t.kind().equals("MAP") ? MAP : REDUCE;
        if (t.state().equals("PENDING") && !job.isFinal()) {
          pending[kind]++;
        }
        List<AttemptDoc> attempts = t.attempts();
        for (int i = 0; i < attempts.size(); i++) {
          AttemptDoc a = attempts.get(i);
          if (i > 0) {
            if (overlapsEarlier(attempts, i)) {
              counts.speculated[kind]++;
            } else {
              counts.retried[kind]++;
            }
          }
          if (a.endTime() == null) {
            if (a.state().equals("RUNNING")) {
              running[kind]++;
            }
          } else if (a.startTime() != null) {
            double seconds = (a.endTime() - a.startTime()) / 1000.0;
            durations[kind][bucket(seconds)]++;
            durationSums[kind] += seconds;
          }
        }
      }
      present.add(job.id());
      seen.put(job.id(), counts);
      total.add(counts);
    }
    seen.entrySet().removeIf(e -> {
      if (present.contains(e.getKey())) {
        return false;
      }
      gone.add(e.getValue());
      total.add(e.getValue());
      return true;
    });

    Map<String, Integer> jobs = new TreeMap<>(cluster.totals().jobsByState());
    return MetricSnapshots.of(
        gauge("quern_jobs", "Jobs by state.", "state", jobs),
        gauge("quern_workers", "Registered workers.", cluster.workers().size()),
        gauge("quern_slots", "Task slots over all workers.", cluster.totals().slots()),
        gauge("quern_slots_busy", "Task slots running an attempt.", cluster.totals().busySlots()),
        gauge("quern_tasks_running", "Task attempts running now, by kind.", "kind",
            byKind(running[MAP], running[REDUCE])),
        gauge("quern_tasks_pending", "Tasks of jobs not ended that wait for an attempt (none "
            + "running, not done), by kind.", "kind", byKind(pending[MAP], pending[REDUCE])),
        counter("quern_attempts_retried", "Attempts started again after every earlier attempt of "
            + "the task had failed, been killed or lost its output, by kind.", "kind",
            byKind(total.retried[MAP], total.retried[REDUCE])),
        counter("quern_attempts_speculated", "Attempts started while an earlier attempt of the "
            + "task still ran (speculation), by kind.", "kind",
            byKind(total.speculated[MAP], total.speculated[REDUCE])),
        Families.histogram("quern_task_duration_seconds",
            "Durations of finished task attempts, by kind.",
            Families.histogram(Labels.of("kind", "map"), DURATION_BOUNDS, durations[MAP],
                durationSums[MAP]),
            Families.histogram(Labels.of("kind", "reduce"), DURATION_BOUNDS, durations[REDUCE],
                durationSums[REDUCE])),
        counter("quern_shuffle_bytes", "Bytes reduce tasks read from map outputs, over all "
            + "jobs seen.", total.shuffleBytes));
  }

  /** Whether an attempt before {@code i} had not ended when attempt {@code i} started. */
  private static boolean overlapsEarlier(List<AttemptDoc> attempts, int i) {
    Long start = attempts.get(i).startTime();
    for (int j = 0; j < i; j++) {
      Long end = attempts.get(j).endTime();
      if (end == null || (start != null && end > start)) {
        return true;
      }
    }
    return false;
  }

  private static int bucket(double seconds) {
    int i = 0;
    while (i < DURATION_BOUNDS.length && seconds > DURATION_BOUNDS[i]) {
      i++;
    }
    return i;
  }

  private static Map<String, Long> byKind(long map, long reduce) {
    Map<String, Long> m = new TreeMap<>();
    m.put("map", map);
    m.put("reduce", reduce);
    return m;
  }

  /** What one job (or the jobs gone) contributes to the counters. */
  private static final class JobCounts {
    final long[] retried = new long[2];
    final long[] speculated = new long[2];
    long shuffleBytes;

    void add(JobCounts o) {
      for (int k = 0; k < 2; k++) {
        retried[k] += o.retried[k];
        speculated[k] += o.speculated[k];
      }
      shuffleBytes += o.shuffleBytes;
    }
  }
}
