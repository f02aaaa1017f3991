package dev.quern.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration directory, as {@code HADOOP_CONF_DIR} is Hadoop's: {@code bin/quern} sets the
 * JVM property {@value #PROPERTY} to {@code $QUERN_CONF_DIR}, else to {@code conf/} of the
 * installation (the distribution's or the source tree's). Its {@value #FILE} is the configuration
 * of {@code quern master} and {@code quern worker} when they are given no {@code --config}; the
 * processes {@code quern cluster start} launches carry the property, so a cluster reads it too.
 */
final class ConfDir {
  static final String PROPERTY = "quern.conf.dir";
  static final String FILE = "quern.conf";

  private ConfDir() {}

  /** {@code DIR/quern.conf} if the property names a directory that holds one; else null. */
  static Path defaultFile() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      return null;
    }
    Path file = Path.of(dir).resolve(FILE);
    return Files.isRegularFile(file) ? file : null;
  }
}
