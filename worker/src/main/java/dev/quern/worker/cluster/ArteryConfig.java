package dev.quern.worker.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.quern.worker.security.ClusterCredentials;

/**
 * The Pekko configuration of a cluster process: Artery TCP on one loopback address, the cluster
 * serializer, quiet logs (a master adds the Raft serializer). A {@code pekko} section of the
 * user's configuration file ({@code user}) goes over it.
 */
public final class ArteryConfig {
  private ArteryConfig() {}

  /** Plain TCP: no credentials. */
  public static Config of(String host, int port, Config user) {
    return of(host, port, user, null);
  }

  /**
   * With {@code credentials}, Artery runs over TLS ({@code tls-tcp}) with mutual authentication:
   * both ends present the node identity and trust the cluster CA alone, so a process without a
   * certificate of that CA can neither connect nor be connected to. Host names are not verified:
   * every node holds the same identity, and the CA is the cluster's own (ARCHITECTURE.md).
   */
  public static Config of(String host, int port, Config user, ClusterCredentials credentials) {
    Config ours = ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "%s"
        pekko.remote.artery.canonical.port = %d
        pekko.remote.artery.bind.hostname = "%s"
        pekko.actor.serializers.quern-cluster = "dev.quern.worker.cluster.ClusterWireSerializer"
        pekko.actor.serialization-bindings {
          "dev.quern.worker.cluster.ClusterWire" = quern-cluster
        }
        # A reduce's RunAttempt lists every map output (some 100 bytes each): over Artery's
        # 256 KiB frame from about 2,000 maps, and dropped. Messages to a worker's agent take
        # the lane for large messages, whose buffers are allocated only when used.
        pekko.remote.artery.large-message-destinations = ["/system/agent"]
        pekko.remote.artery.advanced.maximum-large-frame-size = 8MiB
        pekko.remote.warn-about-direct-use = off
        pekko.remote.warn-unsafe-watch-outside-cluster = off
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        pekko.log-dead-letters = off
        pekko.log-dead-letters-during-shutdown = off
        """.formatted(host, port, host));
    Config pekko = user.hasPath("pekko") ? user.withOnlyPath("pekko") : ConfigFactory.empty();
    if (credentials != null) {
      // Over the user's file: a pekko section must not turn TLS or its checks off.
      pekko = tls(credentials).withFallback(pekko);
    }
    return pekko.withFallback(ours).withFallback(ConfigFactory.load());
  }

  /** For a process's start line: the transport and where its credentials are (no secret). */
  public static String describe(ClusterCredentials credentials) {
    return credentials == null ? "plain TCP, no credentials"
        : "TLS with mutual authentication, credentials in " + credentials.dir();
  }

  private static final String TRANSPORT = "pekko.remote.artery.transport";
  private static final String SSL = "pekko.remote.artery.ssl.config-ssl-engine.";

  private static Config tls(ClusterCredentials c) {
    String password = new String(c.storePassword());
    // Values set one by one, never through text: nothing to escape, nothing parsed.
    return ConfigFactory.empty()
        .withValue(TRANSPORT, ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue("pekko.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(
            "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider"))
        .withValue(SSL + "key-store", ConfigValueFactory.fromAnyRef(c.keyStorePath().toString()))
        .withValue(SSL + "trust-store",
            ConfigValueFactory.fromAnyRef(c.trustStorePath().toString()))
        .withValue(SSL + "key-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL + "key-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true))
        .withValue(SSL + "hostname-verification", ConfigValueFactory.fromAnyRef(false))
        .withValue(SSL + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"));
  }
}
