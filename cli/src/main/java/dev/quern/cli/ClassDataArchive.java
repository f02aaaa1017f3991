package dev.quern.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command's part in {@code bin/quern}'s class-data-sharing archive: a run that writes the
 * archive as its JVM exits (JVM property {@value #MARK} set) keeps it only if the run started a
 * cluster, so that it holds the classes a job needs; this leaves the mark that says so. A first
 * {@code --help} or {@code quern examples} (the list) would otherwise leave a near-empty archive
 * behind for good.
 */
final class ClassDataArchive {
  static final String MARK = "quern.cds.mark";

  private ClassDataArchive() {}

  /** The run started a cluster: its classes are the ones worth archiving. Never throws. */
  static void noteWorkload() {
    String mark = System.getProperty(MARK);
    if (mark == null || mark.isBlank()) {
      return;
    }
    try {
      Files.write(Path.of(mark), new byte[0]);
    } catch (IOException | RuntimeException e) {
      // Sharing is an optimisation: without the mark the archive is dropped, nothing else.
    }
  }
}
