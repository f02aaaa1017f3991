package dev.quern.master.http;

import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.ClusterTotals;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.JobRecord;
import dev.quern.master.http.json.StateEvent;
import dev.quern.master.http.json.TaskDoc;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Past jobs from a {@link HistoryStore}: no masters, no workers, nothing changes. */
public final class HistorySource implements MonitoringSource {
  private final HistoryStore store;

  public HistorySource(HistoryStore store) {
    this.store = store;
  }

  @Override
  public ClusterDoc cluster() {
    List<JobDoc> jobs = jobs();
    return new ClusterDoc("history", List.of(), List.of(),
        new ClusterTotals(0, 0, 0, 0, JobStates.count(jobs)));
  }

  @Override
  public List<JobDoc> jobs() {
    return store.loadAll().stream().map(JobRecord::job)
        .sorted(Comparator.comparing(JobDoc::submitTime,
            Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(JobDoc::id))
        .toList();
  }

  @Override
  public Optional<JobDoc> job(String id) {
    return store.load(id).map(JobRecord::job);
  }

  @Override
  public Optional<List<TaskDoc>> tasks(String id) {
    return store.load(id).map(JobRecord::tasks);
  }

  @Override
  public KillOutcome kill(String id) {
    return store.load(id)
        .map(r -> KillOutcome.notRunning(id, "it ended " + r.job().state() + " (history)"))
        .orElse(KillOutcome.notFound(id));
  }

  @Override
  public Subscription subscribe(Consumer<StateEvent> listener) {
    return () -> {};
  }
}
