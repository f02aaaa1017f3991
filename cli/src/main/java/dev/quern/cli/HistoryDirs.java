package dev.quern.cli;

import dev.quern.master.http.HistoryStore;
import java.nio.file.Path;

/**
 * Where finished jobs are saved and read back: {@code --history DIR} when given, else the JVM
 * property {@value #PROPERTY} (so a wrapper script or {@code QUERN_JAVA_OPTS} can move it for
 * every command), else {@code ~/.quern/history}.
 */
final class HistoryDirs {
  static final String PROPERTY = "quern.history.dir";

  private HistoryDirs() {}

  static Path resolve(Path given) {
    if (given != null) {
      return given.toAbsolutePath().normalize();
    }
    String set = System.getProperty(PROPERTY);
    if (set != null && !set.isBlank()) {
      return Path.of(set).toAbsolutePath().normalize();
    }
    return HistoryStore.defaultDir();
  }
}
