package dev.quern.master.http;

import dev.quern.master.http.json.JobRecord;
import dev.quern.master.http.json.StateEvent;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves every job that ends in a live source to a {@link HistoryStore}. Writing happens on its own
 * thread so the engine's listener never waits for the disk.
 */
public final class HistoryRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);

  private final MonitoringSource live;
  private final HistoryStore store;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "quern-history-writer");
    t.setDaemon(true);
    return t;
  });
  private final MonitoringSource.Subscription subscription;

  public HistoryRecorder(MonitoringSource live, HistoryStore store) {
    this.live = live;
    this.store = store;
    this.subscription = live.subscribe(this::onEvent);
  }

  private void onEvent(StateEvent e) {
    if (e.type().equals("job") && isFinal(e.state())) {
      writer.execute(() -> save(e.jobId()));
    }
  }

  /** Saves one job now, if the live source knows it and it has ended. */
  public void save(String jobId) {
    try {
      live.job(jobId).filter(j -> j.isFinal()).ifPresent(job -> store.save(
          new JobRecord(JobRecord.VERSION, job, live.tasks(jobId).orElse(java.util.List.of()))));
    } catch (RuntimeException ex) {
      log.warn("could not save job {} to history {}", jobId, store.dir(), ex);
    }
  }

  /**
   * The job leaves the live source (cluster mode's retention): on the writer thread, after the
   * writes already queued (the job's end among them), saves the job if the store has no record
   * of it yet, then runs {@code forget}, which removes it from the live source. A reader thus
   * finds the job live or in history, never in neither.
   */
  public void retire(String jobId, Runnable forget) {
    writer.execute(() -> {
      if (!store.has(jobId)) {
        save(jobId);
      }
      forget.run();
    });
  }

  private static boolean isFinal(String state) {
    return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("KILLED");
  }

  /** Stops listening, then finishes the writes already queued. */
  @Override
  public void close() {
    subscription.close();
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("history writes to {} still running after 10 s", store.dir());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
