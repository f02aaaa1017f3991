package dev.quern.master.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bad-node exclusion, as Hadoop's per-job blacklist and Spark's {@code excludeOnFailure}: a job
 * whose attempts failed {@link JobPolicy#excludeAfterFailures()} times on one worker runs no more
 * there ({@link LiveJob#excluded}); a worker that {@link SchedulerSettings#excludingJobs()} jobs
 * excluded is excluded for every job for {@link SchedulerSettings#exclusionMs()}. Exclusions
 * are passed over while they would leave a job no live worker: a slow retry beats a job that
 * never runs. Soft state: a new leader starts with none.
 */
final class Exclusions {
  private static final Logger log = LoggerFactory.getLogger(Exclusions.class);

  private final SchedulerSettings settings;
  /** Per worker: the jobs that excluded it, until it is excluded everywhere. */
  private final Map<String, Set<String>> excludedBy = new HashMap<>();
  /** Workers excluded for every job, until when. */
  private final Map<String, Long> excludedUntil = new HashMap<>();

  Exclusions(SchedulerSettings settings) {
    this.settings = settings;
  }

  /** Counts a failed attempt of the job on the worker; excludes it when it failed too often. */
  void failed(LiveJob lj, String workerId, long now) {
    int limit = lj.policy.excludeAfterFailures();
    if (limit <= 0 || workerId == null) {
      return;
    }
    int n = lj.failuresOn.merge(workerId, 1, Integer::sum);
    if (n < limit || !lj.excluded.add(workerId)) {
      return;
    }
    log.warn("job {} excludes worker {} after {} failed attempt(s) there ({} = {})", lj.id(),
        workerId, n, EngineKeys.EXCLUDE_AFTER_FAILURES, limit);
    if (settings.excludingJobs() <= 0) {
      return;
    }
    Set<String> jobs = excludedBy.computeIfAbsent(workerId, k -> new HashSet<>());
    jobs.add(lj.id());
    if (jobs.size() >= settings.excludingJobs()) {
      excludedBy.remove(workerId);
      excludedUntil.put(workerId, now + settings.exclusionMs());
      log.warn("worker {} is excluded for every job for {} ms: {} jobs excluded it", workerId,
          settings.exclusionMs(), jobs.size());
    }
  }

  /**
   * Which free workers may take the job's attempts: not {@code avoid}, and not excluded (for
   * the job, or for all) unless every live worker is. Costs the excluded workers, never all.
   */
  Predicate<Workers.Worker> allowed(LiveJob lj, String avoid, Workers workers, long now) {
    boolean ignore = (lj.excluded.isEmpty() && excludedUntil.isEmpty())
        || everyWorkerExcluded(lj, workers, now);
    return w -> !w.id.equals(avoid) && (ignore
        || (!lj.excluded.contains(w.id) && !everywhere(w.id, now)));
  }

  /** The workers excluded for every job at {@code now}. */
  Set<String> everywhere(long now) {
    excludedUntil.values().removeIf(until -> now >= until);
    return Set.copyOf(excludedUntil.keySet());
  }

  private boolean everyWorkerExcluded(LiveJob lj, Workers workers, long now) {
    Set<String> out = new HashSet<>();
    for (String id : lj.excluded) {
      if (workers.get(id) != null) {
        out.add(id);
      }
    }
    for (String id : List.copyOf(excludedUntil.keySet())) {
      if (workers.get(id) != null && everywhere(id, now)) {
        out.add(id);
      }
    }
    return out.size() >= workers.size();
  }

  private boolean everywhere(String workerId, long now) {
    Long until = excludedUntil.get(workerId);
    if (until == null) {
      return false;
    }
    if (now >= until) {
      excludedUntil.remove(workerId);
      log.info("worker {} is no longer excluded", workerId);
      return false;
    }
    return true;
  }
}
