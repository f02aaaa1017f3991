package dev.quern.cli;

import dev.quern.examples.wordcount.WordCount;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Builds job jars in a test from the compiled example classes (a directory or a jar). */
final class TestJars {
  private TestJars() {}

  /** A jar of the examples' classes and resources, with {@code mainClass} in its manifest. */
  static Path examplesJar(Path target, String mainClass) throws Exception {
    Path source = Path.of(WordCount.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (mainClass != null) {
      mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    }
    if (Files.isDirectory(source)) {
      try (OutputStream file = Files.newOutputStream(target);
          JarOutputStream jar = new JarOutputStream(file, mf);
          Stream<Path> walk = Files.walk(source)) {
        List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
        for (Path f : files) {
          String name = source.relativize(f).toString().replace('\\', '/');
          if (name.equals("META-INF/MANIFEST.MF")) {
            continue;
          }
          jar.putNextEntry(new JarEntry(name));
          Files.copy(f, jar);
          jar.closeEntry();
        }
      }
    } else {
      rewriteManifest(source, target, mf);
    }
    return target;
  }

  private static void rewriteManifest(Path source, Path target, Manifest mf) throws IOException {
    try (var in = new java.util.jar.JarFile(source.toFile());
        OutputStream file = Files.newOutputStream(target);
        JarOutputStream jar = new JarOutputStream(file, mf)) {
      for (var e : java.util.Collections.list(in.entries())) {
        if (e.getName().equals("META-INF/MANIFEST.MF") || e.isDirectory()) {
          continue;
        }
        jar.putNextEntry(new JarEntry(e.getName()));
        try (var data = in.getInputStream(e)) {
          data.transferTo(jar);
        }
        jar.closeEntry();
      }
    }
  }
}
