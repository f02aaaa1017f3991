package dev.quern.master.http.json;

import java.util.List;

/**
 * {@code GET /api/v1/cluster}: who is in the cluster right now.
 *
 * @param mode {@code live} for a running master, {@code history} for a server over saved jobs only
 */
public record ClusterDoc(String mode, List<MasterDoc> masters, List<WorkerDoc> workers,
    ClusterTotals totals) {
  public ClusterDoc {
    masters = List.copyOf(masters);
    workers = List.copyOf(workers);
  }
}
