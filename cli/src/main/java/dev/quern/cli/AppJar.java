package dev.quern.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

/**
 * A job jar as given on the command line: checked to exist and to be a jar, and asked which
 * class is its driver.
 *
 * @param path the jar's absolute path
 * @param manifestMainClass the manifest's {@code Main-Class}, or null
 */
record AppJar(Path path, String manifestMainClass) {

  /** Opens the jar; fails with one line naming the path when it is missing or not a jar. */
  static AppJar open(String pathText) {
    Path path = Path.of(pathText).toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new CliException("jar " + path + " does not exist");
    }
    if (Files.isDirectory(path)) {
      throw new CliException(path + " is a directory, not a jar");
    }
    if (!Files.isReadable(path)) {
      throw new CliException("jar " + path + " is not readable");
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      Manifest mf = jar.getManifest();
      String main = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
      return new AppJar(path, main == null || main.isBlank() ? null : main.trim());
    } catch (ZipException e) {
      throw new CliException(path + " is not a jar file (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new CliException("cannot read jar " + path + ": " + e.getMessage(), e);
    }
  }

  /** Whether the jar holds the class file of {@code className}. */
  boolean containsClass(String className) {
    try (JarFile jar = new JarFile(path.toFile())) {
      return jar.getEntry(className.replace('.', '/') + ".class") != null;
    } catch (IOException e) {
      throw new CliException("cannot read jar " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Splits what follows the jar on the command line into the driver class and its arguments, as
   * {@code hadoop jar} does: a first argument that names a class in the jar is the driver;
   * otherwise the manifest's {@code Main-Class} is, and every argument goes to it.
   */
  DriverCall driverCall(java.util.List<String> rest) {
    if (!rest.isEmpty() && looksLikeClassName(rest.get(0))) {
      String first = rest.get(0);
      if (containsClass(first)) {
        return new DriverCall(first, rest.subList(1, rest.size()));
      }
      if (manifestMainClass == null) {
        throw new CliException("class " + first + " not found in " + path);
      }
    }
    if (manifestMainClass == null) {
      throw new CliException(path + " names no Main-Class in its manifest: give the driver "
          + "class after the jar, e.g. quern submit " + path.getFileName() + " com.acme.Main IN OUT");
    }
    if (!containsClass(manifestMainClass)) {
      throw new CliException("Main-Class " + manifestMainClass + " of " + path
          + " is not in the jar");
    }
    return new DriverCall(manifestMainClass, rest);
  }

  private static boolean looksLikeClassName(String s) {
    return s.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
        + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");
  }

  /** The driver class to run and its arguments. */
  record DriverCall(String mainClass, java.util.List<String> args) {
    DriverCall {
      args = java.util.List.copyOf(args);
    }
  }
}
