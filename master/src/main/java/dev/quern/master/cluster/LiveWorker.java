package dev.quern.master.cluster;

import dev.quern.worker.cluster.ClusterWire;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A worker as the leader knows it from its heartbeats (soft state: not replicated; a new leader
 * learns it again from the next heartbeats).
 *
 * @param address its Artery address
 * @param registered when this leader first heard from it
 * @param lastHeartbeat when this leader last heard from it
 * @param http its shuffle server's {@code host:port}, which serves its {@code /metrics} too ("":
 *     none)
 * @param ref where its agent hears the cluster wire (the leader asks it for attempt logs), or
 *     null when not known
 * @param executors its executor JVMs as its last heartbeat reported them
 */
public record LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
    Instant registered, Instant lastHeartbeat, String http,
    ActorRef<ClusterWire.ToWorker> ref, List<ClusterWire.ExecutorReport> executors) {
  public LiveWorker {
    running = List.copyOf(running);
    http = http == null ? "" : http;
    executors = executors == null ? List.of() : List.copyOf(executors);
  }

  public LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
      Instant registered, Instant lastHeartbeat, String http) {
    this(id, address, slots, freeSlots, running, registered, lastHeartbeat, http, null,
        List.of());
  }

  public LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
      Instant registered, Instant lastHeartbeat) {
    this(id, address, slots, freeSlots, running, registered, lastHeartbeat, "");
  }
}
