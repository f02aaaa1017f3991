package dev.quern.master.engine;

import dev.quern.worker.actor.OutputLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;

/**
 * Deletes a job's scratch tree (a directory per task attempt, holding its map output's data and
 * index files) with as few file system calls as it can: a job of 10,000 maps leaves about 30,000
 * entries, and its commit waits for them to go. A walk of the tree asks each entry's attributes
 * before deleting it, and deleting by path asks them again (to choose between unlink and rmdir):
 * three calls per file. Here, where the platform offers directory streams relative to an open
 * directory (Linux), a file costs one call (unlink relative to its directory) and a directory one
 * more (the unlink that fails because it is one); elsewhere it falls back to the walk.
 */
final class ScratchDeletion {
  private ScratchDeletion() {}

  /** Deletes {@code root} and all under it; a missing root, or entries gone meanwhile, are fine. */
  static void deleteTree(Path root) throws IOException {
    DirectoryStream<Path> top;
    try {
      top = Files.newDirectoryStream(root);
    } catch (NoSuchFileException e) {
      return;
    } catch (NotDirectoryException e) {
      Files.deleteIfExists(root);
      return;
    }
    try (DirectoryStream<Path> dir = top) {
      if (!(dir instanceof SecureDirectoryStream<Path> secure)
          || Files.isSymbolicLink(root)) {
        dir.close();
        OutputLayout.deleteTree(root);
        return;
      }
      deleteContents(secure);
    }
    Files.deleteIfExists(root);
  }

  private static void deleteContents(SecureDirectoryStream<Path> dir) throws IOException {
    for (Path entry : dir) {
      Path name = entry.getFileName();
      FileSystemException notFile;
      try {
        dir.deleteFile(name);
        continue;
      } catch (NoSuchFileException e) {
        continue;
      } catch (FileSystemException e) {
        notFile = e; // a directory (EISDIR), or a file that cannot be deleted
      }
      SecureDirectoryStream<Path> sub;
      try {
        sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        continue;
      } catch (NotDirectoryException e) {
        throw notFile;
      }
      try (SecureDirectoryStream<Path> s = sub) {
        deleteContents(s);
      }
      try {
        dir.deleteDirectory(name);
      } catch (NoSuchFileException e) {
        // gone meanwhile
      }
    }
  }
}
