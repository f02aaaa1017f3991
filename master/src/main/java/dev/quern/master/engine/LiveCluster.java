package dev.quern.master.engine;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running engine as the HTTP API reads it: the local cluster in one JVM, or a master of a
 * cluster of processes showing its replicated job book.
 */
public interface LiveCluster {

  /** Every job's view, in submission order. */
  List<JobView> jobViews();

  Optional<JobView> jobView(String jobId);

  /** The live workers. */
  List<WorkerView> workers();

  /**
   * Kills a running job; false when it had already ended or is committing.
   *
   * @throws Unavailable when it cannot be decided now (leadership is moving): ask again
   */
  boolean kill(String jobId, String who);

  /** The engine cannot take the request now, e.g. while leadership moves; asking again may work. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }

  /** A master as this process knows it: its Raft role (lower case), term and address. */
  record Master(String role, long term, String address) {}

  /** The masters; one in-process leader unless this is a cluster of processes. */
  default List<Master> masters() {
    return List.of(new Master("leader", 0, "local (in-process)"));
  }

  /**
   * Null when the running attempts' progress in the job views is the leader's own (local mode,
   * the leader, a follower that heard the leader lately); else why it is the replicated book's
   * state instead (a follower whose leader does not answer): the job document's marker.
   */
  default String progressNote() {
    return null;
  }

  /** Calls {@code listener} with every change until the returned handle is closed. */
  AutoCloseable addListener(Consumer<ClusterEvent> listener);
}
