package dev.quern.master.cluster;

import java.time.Instant;
import java.util.List;

/**
 * A worker as the leader knows it from its heartbeats (soft state: not replicated; a new leader
 * learns it again from the next heartbeats).
 *
 * @param address its Artery address
 * @param registered when this leader first heard from it
 * @param lastHeartbeat when this leader last heard from it
 * @param http its shuffle server's {@code host:port}, which serves its {@code /metrics} too ("":
 *     none)
 */
public record LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
    Instant registered, Instant lastHeartbeat, String http) {
  public LiveWorker {
    running = List.copyOf(running);
    http = http == null ? "" : http;
  }

  public LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
      Instant registered, Instant lastHeartbeat) {
    this(id, address, slots, freeSlots, running, registered, lastHeartbeat, "");
  }
}
