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
 */
public record LiveWorker(String id, String address, int slots, int freeSlots, List<String> running,
    Instant registered, Instant lastHeartbeat) {
  public LiveWorker {
    running = List.copyOf(running);
  }
}
