package dev.quern.master.cluster;

import dev.quern.raft.Membership;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.worker.cluster.Loopback.HostPort;
import dev.quern.worker.cluster.WorkerAgent;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The masters of the group as this master knows them now: the members of the Raft configuration
 * in force (the latest in its log, or its snapshot), each with its master id and Raft address.
 * Both come from the address the member was added with ({@link #address}: the Raft actor's path,
 * which also names the master), so a master learns members it was not started with from the log;
 * {@code --peers} fills in members added without one (the founders of a cluster made before
 * addresses were logged). Before the node has published anything: {@code --peers}.
 *
 * <p>A view, made afresh for each use: {@link #of} is cheap.
 */
public final class Members {

  /** One master: its id ("" if not known here), Raft node id, Raft address (null if unknown). */
  public record Member(String id, long node, HostPort raft, boolean voter) {
    /** The id, or "node N" when not known here. */
    public String name() {
      return id.isEmpty() ? "node " + node : id;
    }
  }

  private static final String QUERY = "?master=";

  private final MasterProcessConfig config;
  private final long self;
  private final List<Member> members;

  private Members(MasterProcessConfig config, long self, List<Member> members) {
    this.config = config;
    this.self = self;
    this.members = members;
  }

  /** The members as {@code monitor}'s node last published them. */
  public static Members of(MasterProcessConfig config, RaftMonitor monitor) {
    Optional<RaftStatus> status = monitor.status();
    long self = status.map(RaftStatus::id).orElse(RaftIds.of(config.id()));
    return of(config, self, monitor.membership().orElse(null));
  }

  /** @param membership the configuration in force, or null before the node published one */
  static Members of(MasterProcessConfig config, long self, Membership membership) {
    if (membership == null) {
      List<Member> fromPeers = new ArrayList<>();
      config.peers().forEach((id, raft) -> fromPeers.add(new Member(id, id.equals(config.id())
          ? self : RaftIds.peer(config.peers(), id, self), raft, true)));
      return new Members(config, self, List.copyOf(fromPeers));
    }
    List<Member> out = new ArrayList<>();
    for (long node : membership.all()) {
      boolean voter = membership.isVoter(node);
      Optional<Member> logged = membership.address(node).flatMap(a -> parse(node, a, voter));
      String known = node == self ? config.id() : RaftIds.peerOf(config.peers(), node);
      if (logged.isPresent()) {
        out.add(logged.get());
      } else if (!known.isEmpty()) {
        out.add(new Member(known, node, config.peers().get(known), voter));
      } else {
        out.add(new Member("", node, membership.address(node).flatMap(Members::hostPort)
            .orElse(null), voter));
      }
    }
    out.sort(java.util.Comparator.comparing(Member::name));
    return new Members(config, self, List.copyOf(out));
  }

  /**
   * The address a master is added with: the path of its Raft actor at {@code raft}, with its
   * master id as the query (which Pekko does not read when it resolves the path).
   */
  public static String address(HostPort raft, String masterId) {
    return "pekko://" + WorkerAgent.MASTER_SYSTEM + "@" + raft + "/user/raft" + QUERY
        + URLEncoder.encode(masterId, StandardCharsets.UTF_8);
  }

  private static Optional<Member> parse(long node, String address, boolean voter) {
    int q = address.indexOf(QUERY);
    Optional<HostPort> raft = hostPort(address);
    if (q < 0 || raft.isEmpty()) {
      return Optional.empty();
    }
    String id = URLDecoder.decode(address.substring(q + QUERY.length()), StandardCharsets.UTF_8);
    return Optional.of(new Member(id, node, raft.get(), voter));
  }

  private static Optional<HostPort> hostPort(String address) {
    int at = address.indexOf('@');
    int slash = at < 0 ? -1 : address.indexOf('/', at);
    if (slash < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(HostPort.parse("raft address", address.substring(at + 1, slash)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether the configuration in force (as published) has this master in it. */
  public boolean selfIsMember() {
    return byNode(self).isPresent();
  }

  /** This master's Raft node id. */
  public long self() {
    return self;
  }

  /** Every member, voters and learners, by id (before the node published: --peers). */
  public List<Member> list() {
    return members;
  }

  /** The ids of the members known here by id. */
  public List<String> ids() {
    List<String> out = new ArrayList<>();
    members.forEach(m -> {
      if (!m.id().isEmpty()) {
        out.add(m.id());
      }
    });
    return out;
  }

  /** The member with master id {@code id}. */
  public Optional<Member> byId(String id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** The member with node id {@code node}. */
  public Optional<Member> byNode(long node) {
    return members.stream().filter(m -> m.node() == node).findFirst();
  }

  /**
   * The master id of node {@code node}: a member's, else one of --peers' (a member that has
   * left), else "" (0, no leader known, included).
   */
  public String masterId(long node) {
    if (node == 0) {
      return "";
    }
    Optional<Member> m = byNode(node);
    if (m.isPresent() && !m.get().id().isEmpty()) {
      return m.get().id();
    }
    return node == self ? config.id() : RaftIds.peerOf(config.peers(), node);
  }

  /** The Raft address of master {@code id}: a member's, else --peers'. */
  public Optional<HostPort> raftAddress(String id) {
    Optional<HostPort> a = byId(id).map(Member::raft);
    return a.isPresent() ? a : Optional.ofNullable(config.peers().get(id));
  }
}
