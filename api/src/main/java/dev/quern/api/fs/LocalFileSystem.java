package dev.quern.api.fs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Local files through {@code java.nio}: the same calls the formats made before there was a
 * filesystem interface, so local jobs run exactly as fast. Accepts plain paths and {@code file:}
 * URIs; returns plain paths.
 *
 * <pre>{@code
 * FileSystem fs = LocalFileSystem.INSTANCE;
 * try (InputStream in = fs.open("/data/a.txt", 1024)) { ... }
 * }</pre>
 */
public final class LocalFileSystem implements FileSystem {
  public static final LocalFileSystem INSTANCE = new LocalFileSystem();

  private LocalFileSystem() {}

  /** The local path of a plain path or a {@code file:} URI. */
  public static Path toPath(String path) {
    if (path.startsWith("file:")) {
      URI uri = URI.create(path);
      return uri.isOpaque() ? Path.of(uri.getSchemeSpecificPart()) : Path.of(uri);
    }
    return Path.of(path);
  }

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    FileChannel ch = FileChannel.open(toPath(path), StandardOpenOption.READ);
    try {
      ch.position(offset);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return Channels.newInputStream(ch);
  }

  @Override
  public OutputStream create(String path) throws IOException {
    Path p = toPath(path);
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    return Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @Override
  public void mkdirs(String path) throws IOException {
    Path p = toPath(path);
    // Every task makes its job's directories: a stat when they exist, where createDirectories
    // tries mkdir and builds an exception.
    if (!Files.isDirectory(p)) {
      Files.createDirectories(p);
    }
  }

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(toPath(dir))) {
      for (Path p : s) {
        out.add(status(p));
      }
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException("directory " + dir + " does not exist");
    }
    out.sort(java.util.Comparator.comparing(FileStatus::path));
    return out;
  }

  @Override
  public FileStatus status(String path) throws IOException {
    try {
      return status(toPath(path));
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException("path " + path + " does not exist");
    }
  }

  private static FileStatus status(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
    return new FileStatus(p.toString(), a.isDirectory() ? 0 : a.size(), a.isDirectory(), 0);
  }

  @Override
  public boolean exists(String path) {
    return Files.exists(toPath(path), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    Path target = toPath(to);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(to, null, "cannot rename " + from + " onto it");
    }
    Files.move(toPath(from), target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(String path) throws IOException {
    deleteTree(toPath(path));
  }

  /** Deletes a file or a directory tree; a missing path, or one gone meanwhile, is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length) {
    return List.of(new BlockLocation(start, length, List.of()));
  }

  @Override
  public String child(String dir, String name) {
    return toPath(dir).resolve(name).toString();
  }
}
