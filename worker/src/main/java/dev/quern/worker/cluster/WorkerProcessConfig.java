package dev.quern.worker.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.Security;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of a worker process, read from the {@code quern.worker} section (keys and defaults
 * in {@code worker-defaults.conf}, next to this class).
 *
 * @param masterHttp the masters' HTTP addresses, where stored job jars are fetched (may be empty
 *     when no job names a stored jar)
 * @param allowPrivateBind {@code unsafe-allow-private-bind}: also RFC 1918 addresses (isolated
 *     test networks only, see {@link Loopback})
 * @param security the cluster's credentials ({@code security}, a directory), or null: Artery
 *     over plain TCP
 */
public record WorkerProcessConfig(String id, List<String> masters, int slots, Path data,
    String host, int port, Duration heartbeatInterval, Duration leaderTimeout,
    List<String> masterHttp, boolean allowPrivateBind, ClusterCredentials security) {

  public static final String SECTION = "quern.worker";

  public WorkerProcessConfig {
    masterHttp = List.copyOf(masterHttp);
  }

  /** With no master HTTP address: only jobs whose jars are paths can run. */
  public WorkerProcessConfig(String id, List<String> masters, int slots, Path data, String host,
      int port, Duration heartbeatInterval, Duration leaderTimeout) {
    this(id, masters, slots, data, host, port, heartbeatInterval, leaderTimeout, List.of());
  }

  /** Without credentials. */
  public WorkerProcessConfig(String id, List<String> masters, int slots, Path data, String host,
      int port, Duration heartbeatInterval, Duration leaderTimeout, List<String> masterHttp,
      boolean allowPrivateBind) {
    this(id, masters, slots, data, host, port, heartbeatInterval, leaderTimeout, masterHttp,
        allowPrivateBind, null);
  }

  /** Loopback only. */
  public WorkerProcessConfig(String id, List<String> masters, int slots, Path data, String host,
      int port, Duration heartbeatInterval, Duration leaderTimeout, List<String> masterHttp) {
    this(id, masters, slots, data, host, port, heartbeatInterval, leaderTimeout, masterHttp,
        false);
  }

  /** The defaults, for a configuration to fall back on. */
  public static Config defaults() {
    return ConfigFactory.parseResources(WorkerProcessConfig.class, "worker-defaults.conf");
  }

  /**
   * Reads and checks the section; throws {@link IllegalArgumentException} naming the key (as its
   * flag) that is missing or wrong, or the address that is not loopback.
   */
  public static WorkerProcessConfig from(Config root) {
    Config c = root.withFallback(defaults()).getConfig(SECTION);
    try {
      String id = c.getString("id").isBlank() ? "worker-" + ProcessHandle.current().pid()
          : c.getString("id").trim();
      boolean priv = c.getBoolean(Loopback.ALLOW_PRIVATE_KEY);
      // With credentials (Artery over mutual TLS, HTTPS, tokens) any address; else loopback.
      ClusterCredentials security = Security.credentials(c);
      boolean secured = security != null;
      List<String> masters = c.getStringList("masters");
      if (masters.isEmpty()) {
        throw new IllegalArgumentException("--masters: no master given (HOST:PORT,...)");
      }
      for (String m : masters) {
        Loopback.require("--masters", m, priv, secured);
      }
      int slots = c.getInt("slots");
      if (slots < 1) {
        throw new IllegalArgumentException("--slots: at least 1, got " + slots);
      }
      if (c.getString("data").isBlank()) {
        throw new IllegalArgumentException("--data: no data directory given");
      }
      String host = c.getString("host");
      Loopback.requireHost("--host", host, priv, secured);
      int port = c.getInt("port");
      Duration interval = positive(c, "heartbeat-interval");
      Duration leaderTimeout = positive(c, "leader-timeout");
      if (leaderTimeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("--leader-timeout (" + leaderTimeout
            + ") must be longer than --heartbeat-interval (" + interval + ")");
      }
      List<String> masterHttp = c.getStringList("master-http");
      for (String m : masterHttp) {
        Loopback.require("--master-http", m, priv, secured);
      }
      return new WorkerProcessConfig(id, List.copyOf(masters), slots, Path.of(c.getString("data")),
          host, port, interval, leaderTimeout, masterHttp, priv, security);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("--" + key + ": must be positive, got " + d);
    }
    return d;
  }
}
