package dev.quern.worker.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The Pekko configuration of a cluster process: Artery TCP on one loopback address, the cluster
 * serializer, quiet logs (a master adds the Raft serializer). A {@code pekko} section of the
 * user's configuration file ({@code user}) goes over it.
 */
public final class ArteryConfig {
  private ArteryConfig() {}

  public static Config of(String host, int port, Config user) {
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
    return pekko.withFallback(ours).withFallback(ConfigFactory.load());
  }
}
