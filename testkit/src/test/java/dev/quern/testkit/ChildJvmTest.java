package dev.quern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's class path holds what this JVM's does, as jars: an archive can hold only classes of
 * jars, and a child that started from it runs the same classes.
 */
class ChildJvmTest {

  /** What the child prints: proof that it ran this module's test class from the class path. */
  public static final class Hello {
    public static void main(String[] args) {
      System.out.println("hello from " + Hello.class.getProtectionDomain().getCodeSource()
          .getLocation().getPath());
    }
  }

  @Test
  void everyDirectoryOfTheClassPathBecomesAJarOfItsFilesOnce() throws Exception {
    String own = System.getProperty("java.class.path");
    String child = ChildJvm.classPath();
    List<String> ownEntries = List.of(own.split(File.pathSeparator));
    List<String> childEntries = List.of(child.split(File.pathSeparator));
    assertThat(childEntries).hasSameSizeAs(ownEntries);
    for (int i = 0; i < ownEntries.size(); i++) {
      Path o = Path.of(ownEntries.get(i));
      Path c = Path.of(childEntries.get(i));
      if (Files.isDirectory(o) && Files.list(o).findAny().isPresent()) {
        assertThat(c.getParent()).as("beside " + o).isEqualTo(o.getParent());
        assertThat(c.getFileName().toString()).matches(o.getFileName() + "\\.[0-9a-f]{8}\\.jar");
        try (JarFile jar = new JarFile(c.toFile())) {
          List<String> missing = new ArrayList<>();
          try (var files = Files.walk(o)) {
            files.filter(Files::isRegularFile).forEach(f -> {
              if (jar.getEntry(o.relativize(f).toString().replace('\\', '/')) == null) {
                missing.add(f.toString());
              }
            });
          }
          assertThat(missing).as("files of " + o + " not in " + c).isEmpty();
        }
      } else {
        assertThat(c).isEqualTo(o);
      }
    }
  }

  @Test
  void aDirectorysJarIsMadeOncePerContent(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("classes"));
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/C.txt"), "one");
    Path first = ChildJvm.jarOf(dir);
    long time = Files.getLastModifiedTime(first).toMillis();
    assertThat(ChildJvm.jarOf(dir)).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(first).toMillis()).isEqualTo(time);

    Files.writeString(dir.resolve("a/b/C.txt"), "two, longer");
    Path second = ChildJvm.jarOf(dir);
    assertThat(second).isNotEqualTo(first);
    assertThat(first).as("the stale jar").doesNotExist();
    try (JarFile jar = new JarFile(second.toFile())) {
      assertThat(new String(jar.getInputStream(jar.getEntry("a/b/C.txt")).readAllBytes()))
          .isEqualTo("two, longer");
    }
  }

  @Test
  void aChildRunsFromTheJars() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-Xmx32m", "-cp",
        ChildJvm.classPath()));
    cmd.add(Hello.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.trim()).matches("hello from .*/test-classes\\.[0-9a-f]{8}\\.jar");
  }
}
