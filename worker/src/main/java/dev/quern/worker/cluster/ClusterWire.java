package dev.quern.worker.cluster;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages between master and worker processes (and between masters) over Artery, written by
 * {@link ClusterWireSerializer}. Nothing else of the cluster layer crosses a process boundary.
 */
public sealed interface ClusterWire {

  /** What a master's cluster actor hears from the network. */
  sealed interface ToMaster extends ClusterWire {}

  /** What a worker's agent hears from the network. */
  sealed interface ToWorker extends ClusterWire {}

  /**
   * Every message a leader sends a worker carries the term it leads in and its id; a worker
   * refuses one from a lower term than it has seen ({@link TermFence}).
   */
  sealed interface FromLeader extends ToWorker {
    long term();

    String leaderId();
  }

  /**
   * A worker's registration and heartbeat in one: a leader that does not know the worker (it
   * started, or the leader is new) registers it from this.
   *
   * @param address the worker's Artery address, {@code host:port}
   * @param running the attempts it runs, by id
   * @param seenTerm the highest leader term it has accepted (0 before any)
   * @param registering true until a leader accepted it (first start, or after losing the leader)
   */
  record Heartbeat(String workerId, String address, int slots, int freeSlots, List<String> running,
      long seenTerm, boolean registering, ActorRef<ToWorker> replyTo) implements ToMaster {
    public Heartbeat {
      running = List.copyOf(running);
    }
  }

  /**
   * A worker's answer to a leader message it refused ({@link TermFence}): it follows
   * {@code leaderId} in the higher {@code term}, so the sender has been deposed.
   */
  record Refused(String workerId, long term, String leaderId) implements ToMaster {}

  /** One master tells the others where its HTTP endpoint is (for redirects to the leader). */
  record MasterHello(String masterId, String httpAddress) implements ToMaster {}

  /** The leader took the heartbeat; {@code leader} is where the next one goes. */
  record Accepted(long term, String leaderId, ActorRef<ToMaster> leader) implements FromLeader {}

  /**
   * A master that does not lead answers a heartbeat with this: who leads as far as it knows
   * ({@code leaderId} and its Artery {@code leaderAddress}, both empty if it does not know).
   */
  record NotLeader(String masterId, long term, String leaderId, String leaderAddress)
      implements ToWorker {}
}
