package dev.quern.master.cluster;

import java.util.List;

/** The JSON documents of a master's {@code /api/cluster} endpoints. */
public final class ClusterDocs {
  private ClusterDocs() {}

  /**
   * {@code GET /api/cluster}.
   *
   * @param role FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER, or STARTING before the node reported
   * @param leaderId "" while no leader is known
   * @param leaderHttp the leader's HTTP address, "" while unknown
   */
  public record Status(String id, String role, long term, String leaderId, String leaderHttp,
      long commitIndex, long appliedIndex, String raft, String http, List<Master> masters) {}

  /** A member of the group; {@code http} is "" until it has announced itself. */
  public record Master(String id, String raft, String http) {}

  /** {@code GET /api/cluster/workers} on the leader. */
  public record Workers(String leaderId, long term, List<Worker> workers) {}

  /**
   * @param registered when the leader first heard from it (ISO-8601)
   * @param lastHeartbeat when the leader last heard from it (ISO-8601)
   * @param millisSinceHeartbeat how long ago that was, by the leader's clock
   * @param http the worker's HTTP server ({@code host:port}: its shuffle server), "" if none
   * @param metrics where its Prometheus metrics are scraped, {@code http://HTTP/metrics}, or ""
   */
  public record Worker(String id, String address, int slots, int freeSlots, List<String> running,
      String registered, String lastHeartbeat, long millisSinceHeartbeat, String http,
      String metrics) {}

  /** What a master that does not lead answers on a leader-only endpoint. */
  public record NotLeader(String error, String leaderId, String leaderHttp) {}
}
