package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Manifest;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ManifestInfo;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The local actor system's loader reads only Pekko's jar manifests for Pekko's version check,
 * and is its parent for everything else.
 */
class PekkoManifestsTest {
  private static final ClassLoader PARENT = PekkoManifestsTest.class.getClassLoader();

  private static Path jarOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static String classPath(Path... jars) {
    StringBuilder s = new StringBuilder();
    for (Path p : jars) {
      s.append(s.length() == 0 ? "" : File.pathSeparator).append(p);
    }
    return s.toString();
  }

  @Test
  void theManifestLookupAnswersWithThePekkoJarsOfTheClassPathOnly() throws Exception {
    Path actor = jarOf(org.apache.pekko.actor.ActorSystem.class);
    Path typed = jarOf(ActorSystem.class);
    Path slf4j = jarOf(LoggerFactory.class);
    assertThat(actor.getFileName().toString()).startsWith("pekko-actor_");
    PekkoManifests loader = PekkoManifests.over(PARENT, classPath(slf4j, actor, typed), actor);
    assertThat(loader.narrowed()).isTrue();
    List<URL> manifests = Collections.list(loader.getResources(PekkoManifests.MANIFEST));
    assertThat(manifests).extracting(URL::toString).containsExactly(
        "jar:" + actor.toUri() + "!/META-INF/MANIFEST.MF",
        "jar:" + typed.toUri() + "!/META-INF/MANIFEST.MF");
    for (URL u : manifests) {
      try (InputStream in = u.openStream()) {
        assertThat(new Manifest(in).getMainAttributes().getValue("Implementation-Title"))
            .as(u.toString()).startsWith("pekko-actor");
      }
    }
    // The parent's answer holds the other jars' manifests too (slf4j's at least).
    assertThat(Collections.list(PARENT.getResources(PekkoManifests.MANIFEST)))
        .extracting(URL::toString).anyMatch(s -> s.contains(slf4j.getFileName().toString()));
  }

  @Test
  void aClassPathThatDoesNotNamePekkosOwnJarLeavesTheLookupToTheParent() throws Exception {
    Path actor = jarOf(org.apache.pekko.actor.ActorSystem.class);
    Path typed = jarOf(ActorSystem.class);
    Path slf4j = jarOf(LoggerFactory.class);
    for (String cp : new String[] {classPath(slf4j, typed), "", classPath(Path.of("x.jar"))}) {
      PekkoManifests loader = PekkoManifests.over(PARENT, cp, actor);
      assertThat(loader.narrowed()).as(cp).isFalse();
      assertThat(Collections.list(loader.getResources(PekkoManifests.MANIFEST)))
          .isEqualTo(Collections.list(PARENT.getResources(PekkoManifests.MANIFEST)));
    }
    assertThat(PekkoManifests.over(PARENT, classPath(actor), null).narrowed()).isFalse();
  }

  @Test
  void overTheSystemLoaderItIsOneLoaderPerJvmAndOverAnyOtherTheParentItself() throws Exception {
    ClassLoader system = ClassLoader.getSystemClassLoader();
    ClassLoader first = PekkoManifests.over(system);
    // One instance: the config library's cache of the parsed reference files is per loader.
    assertThat(PekkoManifests.over(system)).isSameAs(first);
    // Narrowed when the JVM's class path names Pekko's jar (bin/quern), else the parent (a test
    // runner's manifest-only jar).
    boolean named = PekkoManifests.pekkoManifests(System.getProperty("java.class.path"),
        PekkoManifests.pekkoActorJar()) != null;
    if (named) {
      assertThat(first).isInstanceOf(PekkoManifests.class);
      assertThat(((PekkoManifests) first).narrowed()).isTrue();
    } else {
      assertThat(first).isSameAs(system);
    }
    try (var other = new java.net.URLClassLoader(new URL[0], system)) {
      assertThat(PekkoManifests.over(other)).isSameAs(other);
    }
  }

  @Test
  void classesAndOtherResourcesAreTheParents() throws Exception {
    Path actor = jarOf(org.apache.pekko.actor.ActorSystem.class);
    PekkoManifests loader = PekkoManifests.over(PARENT, classPath(actor), actor);
    assertThat(loader.loadClass(ActorSystem.class.getName())).isSameAs(ActorSystem.class);
    assertThat(loader.loadClass(PekkoManifestsTest.class.getName()))
        .isSameAs(PekkoManifestsTest.class);
    // (reference.conf is narrowed too: LocalReferenceConfigTest)
    String classFile = ActorSystem.class.getName().replace('.', '/') + ".class";
    assertThat(Collections.list(loader.getResources(classFile)))
        .isEqualTo(Collections.list(PARENT.getResources(classFile))).isNotEmpty();
    assertThat(loader.getResource("reference.conf")).isEqualTo(PARENT.getResource(
        "reference.conf"));
  }

  @Test
  void pekkosVersionCheckStillReadsItsModules() throws Exception {
    Path actor = jarOf(org.apache.pekko.actor.ActorSystem.class);
    Path typed = jarOf(ActorSystem.class);
    Path slf4j = jarOf(LoggerFactory.class);
    PekkoManifests loader = PekkoManifests.over(PARENT, classPath(slf4j, actor, typed), actor);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "manifests",
        BootstrapSetup.create().withClassloader(loader));
    try {
      var versions = scala.jdk.javaapi.CollectionConverters.asJava(
          ManifestInfo.get(system.classicSystem()).versions());
      String version = new Manifest(new URL("jar:" + actor.toUri() + "!/META-INF/MANIFEST.MF")
          .openStream()).getMainAttributes().getValue("Implementation-Version");
      assertThat(versions).containsOnlyKeys("pekko-actor", "pekko-actor-typed");
      assertThat(versions.get("pekko-actor").version()).isEqualTo(version);
      assertThat(versions.get("pekko-actor-typed").version()).isEqualTo(version);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
