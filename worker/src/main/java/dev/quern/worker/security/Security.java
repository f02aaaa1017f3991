package dev.quern.worker.security;

import com.typesafe.config.Config;
import java.nio.file.Path;

/** The {@code security} key of a process's section: where its cluster credentials are. */
public final class Security {
  /** The key (in {@code quern.master} and {@code quern.worker}) and flag ({@code --security}). */
  public static final String KEY = "security";

  private Security() {}

  /**
   * The credentials in the directory {@code section.security} names, or null when it is empty;
   * throws {@link IllegalArgumentException} naming the file that is missing or unreadable.
   */
  public static ClusterCredentials credentials(Config section) {
    String dir = section.hasPath(KEY) ? section.getString(KEY).trim() : "";
    if (dir.isEmpty()) {
      return null;
    }
    try {
      return ClusterCredentials.load(Path.of(dir));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + KEY + " " + dir + ": " + e.getMessage(), e);
    }
  }
}
