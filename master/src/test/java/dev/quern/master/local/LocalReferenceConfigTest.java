package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The local actor system's loader leaves out the {@code reference.conf} of remoting and the
 * cluster, and every setting outside those modules' own stays what the whole class path gives.
 */
class LocalReferenceConfigTest {
  private static final ClassLoader PARENT = LocalReferenceConfigTest.class.getClassLoader();

  /**
   * What the left-out files add: their modules' sections, their serializers, and the deployment
   * defaults that only the remote and cluster deployers read (a remote node, target nodes, a
   * cluster router's settings); the local {@code Deployer} reads none of them.
   */
  private static final List<String> NOT_LOCAL_PATHS = List.of("pekko.remote.", "pekko.cluster.",
      "pekko.coordination.", "ssl-config.", "pekko.actor.serializers.",
      "pekko.actor.serialization-bindings.", "pekko.actor.serialization-identifiers.",
      "pekko.actor.deployment.default.cluster.", "pekko.actor.deployment.default.remote",
      "pekko.actor.deployment.default.target.");

  private static Map<String, String> leaves(Config config) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
      out.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
    }
    return out;
  }

  private static PekkoManifests loader() throws Exception {
    Class<?> actor = org.apache.pekko.actor.ActorSystem.class;
    java.nio.file.Path jar = java.nio.file.Path.of(
        actor.getProtectionDomain().getCodeSource().getLocation().toURI());
    return PekkoManifests.over(PARENT, jar.toString(), jar);
  }

  @Test
  void theReferenceFilesOfRemotingAndTheClusterAreLeftOutAndTheRestKept() throws Exception {
    List<URL> all = Collections.list(PARENT.getResources("reference.conf"));
    List<URL> kept = Collections.list(loader().getResources("reference.conf"));
    List<String> dropped = new ArrayList<>();
    for (URL u : all) {
      if (!kept.contains(u)) {
        dropped.add(u.getPath().replaceAll(".*/([a-z-]+)_[^/]*!/reference.conf", "$1"));
      }
    }
    assertThat(dropped).containsExactlyInAnyOrder("pekko-remote", "pekko-cluster",
        "pekko-cluster-tools", "pekko-cluster-typed", "pekko-distributed-data",
        "pekko-coordination", "ssl-config-core");
    assertThat(kept).extracting(URL::getPath)
        .anyMatch(p -> p.contains("/pekko-actor_"))
        .anyMatch(p -> p.contains("/pekko-actor-typed_"));
  }

  @Test
  void everyKeyOutsideTheLeftOutModulesIsTheSame() throws Exception {
    Map<String, String> full = leaves(ConfigFactory.load(PARENT));
    Map<String, String> local = leaves(ConfigFactory.load(loader()));
    // The class path does hold remoting and the cluster, so the comparison means something.
    assertThat(full).containsKey("pekko.remote.artery.canonical.port")
        .containsKey("pekko.cluster.gossip-interval");
    assertThat(local).doesNotContainKey("pekko.remote.artery.canonical.port");
    List<String> changed = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> e : full.entrySet()) {
      String value = local.get(e.getKey());
      if (value == null) {
        missing.add(e.getKey());
      } else if (!value.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    assertThat(changed).as("keys whose value differs").isEmpty();
    assertThat(local.keySet()).as("keys only the local loader has").isSubsetOf(full.keySet());
    assertThat(missing).as("keys left out")
        .allMatch(k -> NOT_LOCAL_PATHS.stream().anyMatch(k::startsWith), "under " + NOT_LOCAL_PATHS);
    // Pekko's own actor settings, which the local system reads, are all there.
    assertThat(local.keySet().stream().filter(k -> k.startsWith("pekko.actor.default-dispatcher.")))
        .isNotEmpty()
        .containsExactlyInAnyOrderElementsOf(full.keySet().stream()
            .filter(k -> k.startsWith("pekko.actor.default-dispatcher.")).toList());
  }

  @Test
  void onlyTheRootReferenceFileOfANamedJarIsLeftOut() throws Exception {
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/pekko-remote_2.13-1.7.0.jar!/reference.conf"))).isTrue();
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/ssl-config-core_2.13-0.7.1.jar!/reference.conf"))).isTrue();
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/pekko-actor_2.13-1.7.0.jar!/reference.conf"))).isFalse();
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/pekko-actor-typed_2.13-1.7.0.jar!/reference.conf"))).isFalse();
    // A shaded application jar holds every module's settings in one file: kept.
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/app-all.jar!/reference.conf"))).isFalse();
    assertThat(PekkoManifests.notLocal(
        new URL("jar:file:/lib/pekko-remote_2.13-1.7.0.jar!/x/reference.conf"))).isFalse();
    assertThat(PekkoManifests.notLocal(
        new URL("file:/classes/pekko-remote_2.13/reference.conf"))).isFalse();
  }
}
