package dev.quern.master.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.cluster.Loopback.HostPort;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.Security;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The settings of a master process, read from the {@code quern.master} section (keys and
 * defaults in {@code master-defaults.conf}, next to this class).
 *
 * @param peers Raft addresses by master id, this one included: the founders of a new cluster
 *     (every founder must list the same), else the masters this one may ask first; the members
 *     of the group are those of the Raft configuration ({@link Members})
 * @param maxJarBytes the largest job jar the master stores ({@code max-jar-size})
 * @param retention how long ended jobs stay in the replicated book ({@code retention.max-jobs},
 *     {@code retention.max-age}); the history store keeps them after
 * @param scheduling the leader's scheduling settings ({@code scheduler { ... }})
 * @param security the cluster's credentials ({@code security}, a directory), or null: Artery
 *     over plain TCP
 */
public record MasterProcessConfig(String id, Path data, HostPort raft, HostPort http,
    SortedMap<String, HostPort> peers, Duration tick, int electionTicks, int heartbeatTicks,
    int snapshotEvery, Duration workerTimeout, Duration helloInterval, long maxJarBytes,
    Retention retention, SchedulingConfig scheduling, ClusterCredentials security) {

  public static final String SECTION = "quern.master";

  public MasterProcessConfig {
    peers = new TreeMap<>(peers);
  }

  public static Config defaults() {
    return ConfigFactory.parseResources(MasterProcessConfig.class, "master-defaults.conf");
  }

  /**
   * Reads and checks the section; throws {@link IllegalArgumentException} naming the key (as its
   * flag) that is missing or wrong, or the address that is not loopback.
   */
  public static MasterProcessConfig from(Config root) {
    Config c = root.withFallback(defaults()).getConfig(SECTION);
    try {
      String id = c.getString("id").trim();
      if (id.isEmpty()) {
        throw new IllegalArgumentException("--id: no master id given (e.g. m1)");
      }
      if (c.getString("data").isBlank()) {
        throw new IllegalArgumentException("--data: no data directory given");
      }
      // For isolated test networks only (see Loopback): also RFC 1918 addresses, loudly.
      boolean priv = c.getBoolean(Loopback.ALLOW_PRIVATE_KEY);
      // With credentials (Artery over mutual TLS, HTTPS, tokens) any address; else loopback.
      ClusterCredentials security = Security.credentials(c);
      boolean secured = security != null;
      SortedMap<String, HostPort> peers = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : c.getObject("peers").entrySet()) {
        String peer = e.getKey();
        peers.put(peer, Loopback.require("--peers " + peer, String.valueOf(e.getValue().unwrapped()),
            priv, secured));
      }
      if (!peers.containsKey(id)) {
        throw new IllegalArgumentException("--peers must list every master, this one (" + id
            + ") included: got " + peers.keySet());
      }
      HostPort raft = c.getString("raft").isBlank() ? peers.get(id) : Loopback.require("--raft", c.getString("raft"), priv, secured);
      if (!raft.equals(peers.get(id))) {
        throw new IllegalArgumentException("--raft " + raft + " differs from this master's entry in --peers ("
            + id + "=" + peers.get(id) + ")");
      }
      if (raft.port() == 0) {
        throw new IllegalArgumentException("--raft: the other masters must know the port; 0 will not do");
      }
      HostPort http = Loopback.require("--http", c.getString("http"), priv, secured);
      int electionTicks = c.getInt("election-ticks");
      int heartbeatTicks = c.getInt("heartbeat-ticks");
      if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
        throw new IllegalArgumentException("--election-ticks (" + electionTicks
            + ") must be greater than --heartbeat-ticks (" + heartbeatTicks + "), which is at least 1");
      }
      Duration workerTimeout = positive(c, "worker-timeout");
      return new MasterProcessConfig(id, Path.of(c.getString("data")), raft, http, peers,
          positive(c, "tick"), electionTicks, heartbeatTicks, c.getInt("snapshot-every"),
          workerTimeout, positive(c, "hello-interval"), maxJarBytes(c),
          retention(c), SchedulingConfig.from(c, workerTimeout), security);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static Retention retention(Config c) {
    int maxJobs = c.getInt("retention.max-jobs");
    if (maxJobs < 0) {
      throw new IllegalArgumentException("--retention-max-jobs: must not be negative, got "
          + maxJobs);
    }
    Duration maxAge = c.getDuration("retention.max-age");
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("--retention-max-age: must not be negative, got "
          + maxAge);
    }
    return new Retention(maxJobs, maxAge);
  }

  private static long maxJarBytes(Config c) {
    long n = c.getBytes("max-jar-size");
    if (n < 1) {
      throw new IllegalArgumentException("--max-jar-size: must be positive, got " + n);
    }
    return n;
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("--" + key + ": must be positive, got " + d);
    }
    return d;
  }
}
