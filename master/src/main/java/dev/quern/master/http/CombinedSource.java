package dev.quern.master.http;

import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.ClusterTotals;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.StateEvent;
import dev.quern.master.http.json.TaskDoc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A live cluster in front of a history: a job the live cluster knows wins over a saved one with
 * the same id, so a job being saved never shows twice.
 */
public final class CombinedSource implements MonitoringSource {
  private final MonitoringSource live;
  private final MonitoringSource history;

  public CombinedSource(MonitoringSource live, MonitoringSource history) {
    this.live = live;
    this.history = history;
  }

  @Override
  public ClusterDoc cluster() {
    ClusterDoc c = live.cluster();
    ClusterTotals t = c.totals();
    return new ClusterDoc(c.mode(), c.masters(), c.workers(),
        new ClusterTotals(t.masters(), t.workers(), t.slots(), t.busySlots(),
            JobStates.count(jobs())));
  }

  @Override
  public List<JobDoc> jobs() {
    List<JobDoc> out = new ArrayList<>(live.jobs());
    Set<String> seen = new HashSet<>();
    out.forEach(j -> seen.add(j.id()));
    history.jobs().stream().filter(j -> !seen.contains(j.id())).forEach(out::add);
    out.sort(Comparator.comparing(JobDoc::submitTime,
        Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(JobDoc::id));
    return out;
  }

  @Override
  public Optional<JobDoc> job(String id) {
    Optional<JobDoc> j = live.job(id);
    return j.isPresent() ? j : history.job(id);
  }

  @Override
  public Optional<List<TaskDoc>> tasks(String id) {
    Optional<List<TaskDoc>> t = live.tasks(id);
    return t.isPresent() ? t : history.tasks(id);
  }

  @Override
  public KillOutcome kill(String id) {
    KillOutcome k = live.kill(id);
    return k.result() == KillOutcome.Result.NOT_FOUND ? history.kill(id) : k;
  }

  @Override
  public KillOutcome kill(String id, String who) {
    KillOutcome k = live.kill(id, who);
    return k.result() == KillOutcome.Result.NOT_FOUND ? history.kill(id, who) : k;
  }

  @Override
  public Subscription subscribe(Consumer<StateEvent> listener) {
    return live.subscribe(listener);
  }
}
