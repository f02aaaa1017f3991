package dev.quern.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The bundled examples jar and its catalogue, {@value #CATALOGUE}: {@code NAME.class} and
 * {@code NAME.description} for each example.
 */
final class ExamplesJar {
  /** Where the jar is, when set (bin/quern sets it); otherwise found next to the cli jar. */
  static final String PROPERTY = "quern.examples.jar";

  static final String CATALOGUE = "META-INF/quern/examples.properties";

  /** One example: its name, driver class and one line of help. */
  record Example(String name, String mainClass, String description) {}

  private ExamplesJar() {}

  static Path locate() {
    String set = System.getProperty(PROPERTY);
    if (set != null && !set.isBlank()) {
      Path p = Path.of(set);
      if (!Files.isRegularFile(p)) {
        throw new CliException("examples jar " + p + " (from -D" + PROPERTY + ") does not exist");
      }
      return p;
    }
    Path guess = besideCli();
    if (guess == null || !Files.isRegularFile(guess)) {
      throw new CliException("examples jar not found"
          + (guess == null ? "" : " at " + guess)
          + ": build it with 'mvn -B -ntp -DskipTests package', or set -D" + PROPERTY);
    }
    return guess;
  }

  /**
   * {@code target/examples/quern-examples.jar} next to {@code target/quern-cli.jar} (or next to
   * {@code target/classes} when run from the build tree).
   */
  private static Path besideCli() {
    try {
      Path code = Path.of(ExamplesJar.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      Path target = code.getParent();
      return target == null ? null : target.resolve("examples").resolve("quern-examples.jar");
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /** The examples in the catalogue, in the order the file lists them. */
  static Map<String, Example> catalogue(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      ZipEntry entry = file.getEntry(CATALOGUE);
      if (entry == null) {
        throw new CliException(jar + " has no " + CATALOGUE);
      }
      Properties props = new Properties();
      try (InputStream in = file.getInputStream(entry)) {
        props.load(in);
      }
      return parse(props, readOrder(file, entry), jar);
    } catch (IOException e) {
      throw new CliException("cannot read examples jar " + jar + ": " + e.getMessage(), e);
    }
  }

  /** Names in the order of their {@code .class} lines, since Properties forgets order. */
  private static java.util.List<String> readOrder(JarFile file, ZipEntry entry)
      throws IOException {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (InputStream in = file.getInputStream(entry)) {
      for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .split("\n")) {
        String t = line.strip();
        int dot = t.indexOf(".class");
        if (!t.startsWith("#") && dot > 0 && t.substring(dot + 6).strip().startsWith("=")) {
          names.add(t.substring(0, dot));
        }
      }
    }
    return names;
  }

  private static Map<String, Example> parse(Properties props, java.util.List<String> order,
      Path jar) {
    Map<String, Example> examples = new LinkedHashMap<>();
    for (String name : order) {
      String cls = props.getProperty(name + ".class");
      if (cls == null || cls.isBlank()) {
        throw new CliException(jar + ": " + CATALOGUE + " gives no class for " + name);
      }
      examples.put(name, new Example(name, cls.strip(),
          props.getProperty(name + ".description", "").strip()));
    }
    return examples;
  }
}
