package dev.quern.master.engine;

import dev.quern.master.engine.ClusterEvent.JobUpdated;
import dev.quern.master.engine.ClusterEvent.WorkersUpdated;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of the master: the latest snapshot of every job and of the workers, published by
 * the master actor after each change, read from any thread. Listeners are called on the master's
 * thread, in order, and must return quickly.
 */
public final class ClusterMonitor {
  private static final Logger log = LoggerFactory.getLogger(ClusterMonitor.class);

  private final Map<String, JobView> jobs = new ConcurrentSkipListMap<>();
  private final Map<String, CompletableFuture<JobView>> completions = new ConcurrentHashMap<>();
  private final List<Consumer<ClusterEvent>> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock workersLock = new ReentrantLock();
  private final Condition workersChanged = workersLock.newCondition();
  private volatile List<WorkerView> workers = List.of();

  public Optional<JobView> job(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /** All jobs, in submission order. */
  public List<JobView> jobs() {
    return new ArrayList<>(jobs.values());
  }

  public List<WorkerView> workers() {
    return workers;
  }

  /** Completes with the job's final view. */
  public CompletableFuture<JobView> completion(String jobId) {
    return completions.computeIfAbsent(jobId, id -> new CompletableFuture<>());
  }

  /** Registers a listener; closing the returned handle removes it. */
  public AutoCloseable addListener(Consumer<ClusterEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Waits until the worker list satisfies {@code condition}; false on timeout. */
  public boolean awaitWorkers(Predicate<List<WorkerView>> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    workersLock.lock();
    try {
      while (!condition.test(workers)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        workersChanged.awaitNanos(left);
      }
      return true;
    } finally {
      workersLock.unlock();
    }
  }

  public void publish(JobView view) {
    jobs.put(view.id(), view);
    // Listeners first: whoever waits for the end may close its listener as soon as it wakes.
    notify(new JobUpdated(view));
    if (view.state().isFinal()) {
      completion(view.id()).complete(view);
    }
  }

  /**
   * Forgets a job (cluster mode's retention: an ended job left the book and is served from
   * history). No listener hears of it; a wait on the job that is still open stays open.
   */
  public void remove(String jobId) {
    jobs.remove(jobId);
    completions.computeIfPresent(jobId, (id, f) -> f.isDone() ? null : f);
  }

  public void publishWorkers(List<WorkerView> now) {
    workersLock.lock();
    try {
      workers = List.copyOf(now);
      workersChanged.signalAll();
    } finally {
      workersLock.unlock();
    }
    notify(new WorkersUpdated(now));
  }

  private void notify(ClusterEvent event) {
    for (Consumer<ClusterEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("a cluster listener failed on {}", event.getClass().getSimpleName(), e);
      }
    }
  }

  /** Fails every wait on a job that has not ended: the cluster is closing. */
  public void closeAll(String why) {
    completions.values().forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
  }

  /** Waits at most {@code timeout} for the job to end; the current view if it has not. */
  public Optional<JobView> await(String jobId, Duration timeout) throws InterruptedException {
    try {
      return Optional.of(completion(jobId).get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (java.util.concurrent.TimeoutException e) {
      return job(jobId);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }
}
