package dev.quern.master.cluster.jars;

import dev.quern.master.cluster.ClusterBoard;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.master.cluster.Members;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import java.util.List;
import java.util.Optional;

/**
 * What the jar routes need to know of the master group: who this master is, who the others are,
 * who leads, and where each serves HTTP. A small seam so the routes can also be tested against a
 * group whose leadership a test decides.
 */
public interface JarGroup {
  String selfId();

  /** Every master's id, this one included. */
  List<String> members();

  boolean leads();

  /** The leader as far as this master knows, "" if it knows none. */
  String leaderId();

  /** Where master {@code id} serves HTTP, if known. */
  Optional<String> httpAddress(String id);

  /** The client token this master sends to its peers (a secured cluster's); empty otherwise. */
  default Optional<String> token() {
    return Optional.empty();
  }

  /**
   * How this master reaches its peers' HTTP: a secured cluster's over HTTPS trusting the cluster
   * CA, with the client token; by default plain HTTP with {@link #token()}.
   */
  default dev.quern.worker.security.ClusterAccess access() {
    return new dev.quern.worker.security.ClusterAccess(token().orElse(null), null);
  }

  /**
   * A group whose members, leader and addresses the caller decides (a test's, say): master
   * {@code self} leads when {@code leader} names it.
   */
  static JarGroup fixed(String self, List<String> members,
      java.util.function.Supplier<String> leader,
      java.util.function.Function<String, Optional<String>> httpAddress) {
    return new JarGroup() {
      @Override
      public String selfId() {
        return self;
      }

      @Override
      public List<String> members() {
        return List.copyOf(members);
      }

      @Override
      public boolean leads() {
        return self.equals(leader.get());
      }

      @Override
      public String leaderId() {
        return leader.get();
      }

      @Override
      public Optional<String> httpAddress(String id) {
        return httpAddress.apply(id);
      }
    };
  }

  /** The group of a master process: its config, its Raft node's status and its board. */
  static JarGroup of(MasterProcessConfig config, RaftMonitor monitor, ClusterBoard board) {
    return new JarGroup() {
      @Override
      public String selfId() {
        return config.id();
      }

      @Override
      public List<String> members() {
        return Members.of(config, monitor).ids();
      }

      @Override
      public boolean leads() {
        return monitor.status().map(RaftStatus::isLeader).orElse(false);
      }

      @Override
      public String leaderId() {
        return monitor.status().map(s -> Members.of(config, monitor).masterId(s.leader()))
            .orElse("");
      }

      @Override
      public Optional<String> httpAddress(String id) {
        return board.httpAddress(id);
      }

      @Override
      public Optional<String> token() {
        return Optional.ofNullable(config.security())
            .map(dev.quern.worker.security.ClusterCredentials::clientToken);
      }

      @Override
      public dev.quern.worker.security.ClusterAccess access() {
        return dev.quern.worker.security.ClusterAccess.of(config.security());
      }
    };
  }
}
