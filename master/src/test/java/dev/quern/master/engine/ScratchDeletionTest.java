package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's scratch tree goes whole: files, attempt directories, empty directories, nested ones;
 * a link inside it goes without what it points to; a missing root is fine, and a root that is a
 * file is deleted.
 */
class ScratchDeletionTest {
  @TempDir Path tmp;

  @Test
  void deletesTheWholeTreeButNotWhatALinkInItPointsTo() throws Exception {
    Path root = tmp.resolve("job-0001");
    for (int a = 0; a < 50; a++) {
      Path attempt = Files.createDirectories(root.resolve("m-" + a + "-1"));
      Files.write(attempt.resolve("map.data"), new byte[a]);
      Files.write(attempt.resolve("map.index"), new byte[] {1, 2, 3});
    }
    Files.createDirectories(root.resolve("r-0-1/empty"));
    Files.createDirectories(root.resolve("deep/a/b/c"));
    Files.writeString(root.resolve("deep/a/b/c/f"), "x");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "kept");
    Files.createSymbolicLink(root.resolve("link-to-dir"), outside);
    Files.createSymbolicLink(root.resolve("link-to-file"), outside.resolve("keep.txt"));

    ScratchDeletion.deleteTree(root);

    assertThat(root).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("kept");
  }

  @Test
  void aMissingRootIsFineAndAFileRootIsDeleted() throws Exception {
    ScratchDeletion.deleteTree(tmp.resolve("never-made"));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    ScratchDeletion.deleteTree(file);
    assertThat(file).doesNotExist();
    assertThat(tmp).exists();
  }
}
