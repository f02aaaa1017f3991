package dev.quern.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The head of the command line ({@code java}, options, {@code -cp}) of a JVM that a test starts
 * on its own class path, such as the masters and workers of a cluster under test, with class-data
 * sharing (AppCDS): the tests of a module start hundreds of such JVMs, each of which loaded and
 * verified the same few thousand classes (Pekko, Scala, Jetty, Jackson) again.
 *
 * <p>A Java 17 archive can hold only classes of jars, so the children run on the test's class
 * path ({@code java.class.path}) with each directory on it ({@code target/classes}, {@code
 * target/test-classes}) replaced by a jar of its files, made once per content next to the
 * directory ({@code target/classes.<sum>.jar}, so what a class finds beside its code source is
 * the same). The archive is written once per module build, in {@code target/child-jvm/}: the first
 * child started while there is none records the classes it loads ({@code
 * -XX:DumpLoadedClassList}); once it has done something representative (a master that says it is
 * ready), its starter calls {@link #archive()}, which dumps those classes into the archive
 * ({@code -Xshare:dump}, a few seconds), and every child started after that maps it. The JVM
 * checks that an archive matches its runtime and class path (each jar's path, size and time),
 * and runs without sharing when it does not; nothing of a child's behaviour depends on it, only
 * its start-up time. {@code -Dquern.test.child-cds=false} turns it off.
 */
public final class ChildJvm {
  /** The system property that turns sharing off ({@code false}). */
  public static final String PROPERTY = "quern.test.child-cds";

  private static final Path DIR = Path.of("target", "child-jvm").toAbsolutePath();
  private static String classPath;
  private static String key;
  /** The class list a child of this JVM records, until {@link #archive()} used it. */
  private static Path recording;

  private ChildJvm() {}

  /** The {@code java} of this JVM's runtime. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * {@code java}, {@code options}, the sharing options (the archive, or the recording of one),
   * {@code -cp} and the class path: put the main class and its arguments after it.
   */
  public static synchronized List<String> command(List<String> options) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(options);
    cmd.addAll(sharing());
    cmd.add("-cp");
    cmd.add(classPath());
    return cmd;
  }

  /**
   * The options that map the archive when there is one; else, for the first child asking in
   * this JVM while nobody else records, those that record its classes for {@link #archive()}.
   */
  public static synchronized List<String> sharing() {
    if (!enabled()) {
      return List.of();
    }
    Path archive = archivePath();
    if (Files.isRegularFile(archive)) {
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds*=off");
    }
    if (recording == null && !Files.exists(failedMark())) {
      recording = DIR.resolve("classes-" + key() + "." + ProcessHandle.current().pid() + "."
          + System.nanoTime() + ".classlist");
      return List.of("-XX:DumpLoadedClassList=" + recording);
    }
    return List.of();
  }

  /**
   * Options for JVMs that a child starts with its own class path plus more (a worker's
   * executors): the archive's, or none. (Its classes hold for any class path that starts with
   * the archive's.)
   */
  public static synchronized List<String> sharingOnly() {
    if (!enabled()) {
      return List.of();
    }
    Path archive = archivePath();
    return Files.isRegularFile(archive)
        ? List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds*=off")
        : List.of();
  }

  /**
   * Writes the archive from the classes that the recording child has loaded so far, if a child
   * of this JVM records and there is no archive yet; returns whether there is one now. Call it
   * once the recording child has started up (its later classes do not matter). A failed dump
   * leaves a mark, so the module's later tests do not try again; they run without sharing.
   */
  public static synchronized boolean archive() {
    if (!enabled()) {
      return false;
    }
    Path archive = archivePath();
    Path list = recording;
    recording = null;
    if (list == null || Files.isRegularFile(archive)) {
      deleteQuietly(list);
      return Files.isRegularFile(archive);
    }
    String stem = "classes-" + key() + "." + ProcessHandle.current().pid();
    Path snapshot = DIR.resolve(stem + ".list");
    Path tmp = DIR.resolve(stem + ".jsa.tmp");
    Path log = DIR.resolve(stem + ".dump.log");
    try {
      // The child still runs and may be writing a line: only whole lines.
      byte[] all = Files.readAllBytes(list);
      int end = all.length;
      while (end > 0 && all[end - 1] != '\n') {
        end--;
      }
      if (end == 0) {
        return false;
      }
      Files.write(snapshot, Arrays.copyOf(all, end));
      // Serial GC: no archived heap objects (only G1 maps them, and the tests' children run
      // the serial collector), which makes the dump some 10% cheaper.
      Process dump = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xshare:dump",
          "-XX:SharedClassListFile=" + snapshot, "-XX:SharedArchiveFile=" + tmp,
          "-Xlog:cds*=off", "-cp", classPath())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!dump.waitFor(300, TimeUnit.SECONDS)) {
        dump.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        Files.writeString(failedMark(), "the dump ran past 300 s\n");
        return false;
      }
      if (dump.exitValue() != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
        Files.writeString(failedMark(), "the dump exited with " + dump.exitValue()
            + "; log: " + log + "\n");
        return false;
      }
      // Whole or not at all: a JVM that maps a truncated archive crashes.
      Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
      deleteQuietly(log);
      // Those of earlier builds (their jars changed) are stale, and some 70 MB each.
      try (Stream<Path> files = Files.list(DIR)) {
        for (Path f : files.toList()) {
          String n = f.getFileName().toString();
          if (!f.equals(archive) && n.startsWith("classes-") && !n.startsWith("classes-" + key())) {
            deleteQuietly(f);
          }
        }
      }
      return true;
    } catch (IOException e) {
      try {
        Files.writeString(failedMark(), e + "\n");
      } catch (IOException ignored) {
        // Then the next test tries again.
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      deleteQuietly(list);
      deleteQuietly(snapshot);
      deleteQuietly(tmp);
    }
  }

  /**
   * The class path of children: this JVM's, each non-empty directory on it replaced by a jar of
   * its files (when that jar cannot be made, the directory stays and nothing is shared).
   */
  public static synchronized String classPath() {
    if (classPath == null) {
      String own = System.getProperty("java.class.path");
      if (!enabled()) {
        classPath = own;
        return classPath;
      }
      List<String> entries = new ArrayList<>();
      for (String e : own.split(java.io.File.pathSeparator)) {
        if (e.isEmpty()) {
          continue;
        }
        Path p = Path.of(e);
        try {
          entries.add(Files.isDirectory(p) && !isEmpty(p) ? jarOf(p).toString() : e);
        } catch (IOException | UncheckedIOException ex) {
          classPath = own;
          return classPath;
        }
      }
      classPath = String.join(java.io.File.pathSeparator, entries);
    }
    return classPath;
  }

  private static boolean enabled() {
    return !"false".equals(System.getProperty(PROPERTY));
  }

  private static Path archivePath() {
    return DIR.resolve("classes-" + key() + ".jsa");
  }

  private static Path failedMark() {
    return DIR.resolve("classes-" + key() + ".failed");
  }

  /** Sums the runtime and each class path entry as the JVM checks it (path, size, time). */
  private static String key() {
    if (key == null) {
      CRC32 sum = new CRC32();
      update(sum, System.getProperty("java.home") + "\n" + System.getProperty("java.vm.version"));
      for (String e : classPath().split(java.io.File.pathSeparator)) {
        Path p = Path.of(e);
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          update(sum, e + " " + a.size() + " " + a.lastModifiedTime().toMillis() + "\n");
        } catch (IOException ex) {
          update(sum, e + " missing\n");
        }
      }
      key = String.format("%08x", sum.getValue());
      try {
        Files.createDirectories(DIR);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return key;
  }

  /**
   * {@code <dir>.<sum>.jar} beside {@code dir}, the sum over its files' paths, sizes and times:
   * made when missing, so every test JVM of a build (and the archive) sees the same jar.
   */
  static Path jarOf(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
    }
    CRC32 sum = new CRC32();
    for (Path f : files) {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      update(sum, dir.relativize(f) + " " + a.size() + " " + a.lastModifiedTime().toMillis()
          + "\n");
    }
    String name = dir.getFileName().toString();
    Path jar = dir.resolveSibling(name + "." + String.format("%08x", sum.getValue()) + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    Path tmp = dir.resolveSibling(name + "." + ProcessHandle.current().pid() + ".jar.tmp");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(tmp);
        JarOutputStream j = new JarOutputStream(out, mf)) {
      for (Path f : files) {
        String entry = dir.relativize(f).toString().replace('\\', '/');
        if (entry.equals("META-INF/MANIFEST.MF")) {
          continue;
        }
        j.putNextEntry(new JarEntry(entry));
        Files.copy(f, j);
        j.closeEntry();
      }
    }
    try {
      // Not over one another test JVM made meanwhile: its time is in an archive's key.
      Files.move(tmp, jar);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(tmp);
    }
    // The jars of earlier contents of this directory are stale.
    try (Stream<Path> siblings = Files.list(dir.getParent())) {
      for (Path s : siblings.toList()) {
        String n = s.getFileName().toString();
        if (!s.equals(jar) && n.startsWith(name + ".") && n.endsWith(".jar")
            && n.length() == jar.getFileName().toString().length()) {
          deleteQuietly(s);
        }
      }
    }
    return jar;
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void update(CRC32 sum, String s) {
    sum.update(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Left in target/, which the next clean removes.
    }
  }
}
