package dev.quern.master.local;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

/**
 * The class loader of the local cluster's actor system: its parent's classes and resources, with
 * one lookup answered from less. Every actor system start reads Pekko's {@code ManifestInfo}
 * (its check that all Pekko modules on the class path are of one version), which opens the
 * {@code META-INF/MANIFEST.MF} of every jar on the class path, some 90 here. Three of them
 * (BouncyCastle's, for the cluster's TLS) are signed, so opening their manifests through a
 * {@code jar:} URL makes the JDK verify their signatures: certificates parsed, RSA checked, every
 * manifest section hashed. That was about a quarter of the CPU a 64 KiB local WordCount used
 * (flight recordings of four runs), for a check that reads only Pekko's own manifests.
 *
 * <p>So this loader answers {@code getResources("META-INF/MANIFEST.MF")} with the manifests of
 * the Pekko jars ({@code pekko-*.jar}) named on the JVM's class path, which are the ones the
 * check compares: the check stays, on the jars it is about. That answer is given only when the
 * parent is the system class loader and the class path names the jar that Pekko's own
 * {@code ActorSystem} came from (so it is the class path the classes come from); otherwise (an
 * application server, a test runner's manifest-only jar, a shaded jar) the lookup is the
 * parent's, as before. Classes and every other resource are the parent's, so the dispatcher
 * threads, whose context class loader this becomes, resolve the same classes and services.
 *
 * <p>It also answers {@code getResources("reference.conf")} with its parent's answer less the
 * files of the modules a local actor system never starts: Pekko's remoting, cluster, cluster
 * tools, cluster typed, distributed data and coordination, and ssl-config (remoting's TLS), by
 * the names of the jars they come in ({@link #notLocal}). The config library parses every
 * {@code reference.conf} of the class path at the start (some 200 KB here, half of it theirs),
 * off the main thread but on the same two cores; the keys it drops are only those modules' own
 * ({@code pekko.remote}, {@code pekko.cluster}, {@code pekko.coordination}, {@code ssl-config})
 * and their additions to {@code pekko.actor}'s serializers and deployment defaults, which a
 * local system without remoting reads nothing of ({@code LocalReferenceConfigTest} compares the
 * effective configuration key by key). A shaded jar with one merged {@code reference.conf} is not
 * matched, and keeps everything.
 *
 * <p>One instance per JVM over the system class loader: the config library caches the parsed
 * {@code reference.conf} files for one class loader at a time (a lookup with another loader
 * parses them all again), and Pekko reads them with this loader, so the cluster's own
 * configuration and the command's early parse ({@code StartupWarmer}) use it too.
 */
public final class PekkoManifests extends ClassLoader {
  static final String MANIFEST = "META-INF/MANIFEST.MF";
  static final String REFERENCE = "reference.conf";

  /**
   * The jars (file name prefixes) of the modules whose {@code reference.conf} a local actor system
   * does without: they configure remoting and the cluster, which it never starts.
   */
  private static final List<String> NOT_LOCAL = List.of("pekko-remote_", "pekko-cluster_",
      "pekko-cluster-tools_", "pekko-cluster-typed_", "pekko-distributed-data_",
      "pekko-coordination_", "ssl-config-core_");

  /** Null: the lookup goes to the parent. */
  private final List<URL> manifests;

  private PekkoManifests(ClassLoader parent, List<URL> manifests) {
    super("quern-local-actors", parent);
    this.manifests = manifests;
  }

  /**
   * The loader for an actor system (and its configuration) that would otherwise use
   * {@code parent}: the one instance over the system class loader when the class path names
   * Pekko's jars, else {@code parent} itself.
   */
  public static ClassLoader over(ClassLoader parent) {
    if (parent == ClassLoader.getSystemClassLoader() && OverSystem.LOADER != null) {
      return OverSystem.LOADER;
    }
    return parent;
  }

  /** Made on first use: the class path is read once. */
  private static final class OverSystem {
    static final PekkoManifests LOADER = overSystem();

    private static PekkoManifests overSystem() {
      List<URL> found = pekkoManifests(System.getProperty("java.class.path", ""),
          pekkoActorJar());
      return found == null ? null : new PekkoManifests(ClassLoader.getSystemClassLoader(), found);
    }
  }

  /** As {@link #over}, with the class path and Pekko's jar given (tests). */
  static PekkoManifests over(ClassLoader parent, String classPath, Path pekkoActorJar) {
    return new PekkoManifests(parent, pekkoManifests(classPath, pekkoActorJar));
  }

  /** Whether the manifest lookup is narrowed to Pekko's jars (false: the parent's answer). */
  boolean narrowed() {
    return manifests != null;
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (manifests != null && MANIFEST.equals(name)) {
      return Collections.enumeration(manifests);
    }
    Enumeration<URL> found = super.getResources(name);
    if (!REFERENCE.equals(name)) {
      return found;
    }
    List<URL> kept = new ArrayList<>();
    while (found.hasMoreElements()) {
      URL url = found.nextElement();
      if (!notLocal(url)) {
        kept.add(url);
      }
    }
    return Collections.enumeration(kept);
  }

  /**
   * Whether {@code url} is the {@code reference.conf} at the root of a jar of a module that a
   * local actor system does not start ({@link #NOT_LOCAL}).
   */
  static boolean notLocal(URL url) {
    if (!"jar".equals(url.getProtocol())) {
      return false;
    }
    String spec = url.getPath();
    if (!spec.endsWith("!/" + REFERENCE)) {
      return false;
    }
    String jar = spec.substring(0, spec.length() - REFERENCE.length() - 2);
    String file = jar.substring(jar.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (!file.endsWith(".jar")) {
      return false;
    }
    for (String prefix : NOT_LOCAL) {
      if (file.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The manifest URLs of the {@code pekko-*.jar} entries of {@code classPath}, or null when the
   * class path does not name {@code pekkoActorJar} (null: unknown) among them.
   */
  static List<URL> pekkoManifests(String classPath, Path pekkoActorJar) {
    if (pekkoActorJar == null || classPath == null || classPath.isEmpty()) {
      return null;
    }
    Path actor = absolute(pekkoActorJar);
    List<URL> urls = new ArrayList<>();
    boolean hasActor = false;
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path jar;
      try {
        jar = absolute(Path.of(entry));
      } catch (InvalidPathException e) {
        return null;
      }
      Path fileName = jar.getFileName();
      String file = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
      if (!file.startsWith("pekko-") || !file.endsWith(".jar")) {
        continue;
      }
      hasActor |= jar.equals(actor);
      try {
        urls.add(new URL("jar:" + jar.toUri() + "!/" + MANIFEST));
      } catch (MalformedURLException e) {
        return null;
      }
    }
    return hasActor ? List.copyOf(urls) : null;
  }

  /** The jar Pekko's classic {@code ActorSystem} was loaded from, or null (not a plain file). */
  static Path pekkoActorJar() {
    try {
      CodeSource source = org.apache.pekko.actor.ActorSystem.class.getProtectionDomain()
          .getCodeSource();
      if (source == null || source.getLocation() == null
          || !"file".equals(source.getLocation().getProtocol())) {
        return null;
      }
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static Path absolute(Path p) {
    return p.toAbsolutePath().normalize();
  }
}
