package dev.quern.master.commit;

import dev.quern.api.Configuration;
import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystemProvider;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A local disk spelled {@code crash://local/<absolute path>} whose process "dies" at a chosen
 * change: the {@link #dieAt}-th change (create, mkdirs, rename, or the removal of one file or
 * directory inside a recursive delete, counted from 0) throws, and so does every operation after
 * it, until {@link #revive}. A directory rename is one change (atomic, as on a local disk or
 * HDFS); a recursive delete is one change per entry (it is not atomic anywhere). Registered
 * through META-INF/services.
 */
public final class CrashingFileSystem implements FileSystem, FileSystemProvider {
  static final String PREFIX = "crash://local";
  private static int changes;
  private static int dieAt = -1;
  private static boolean dead;

  /** The path of a local directory on this filesystem. */
  static String of(Path local) {
    return PREFIX + local.toAbsolutePath();
  }

  /** Dies at the {@code n}-th change from now (negative: never). */
  static synchronized void dieAt(int n) {
    changes = 0;
    dieAt = n;
    dead = false;
  }

  /** A new process: nothing dies. */
  static synchronized void revive() {
    dieAt(-1);
    interruptAt = -1;
    afterInterrupt = null;
  }

  /** Whether the last run died. */
  static synchronized boolean died() {
    return dead;
  }

  private static synchronized void alive() throws IOException {
    if (dead) {
      throw new IOException("the process died earlier");
    }
  }

  private static synchronized void change(String what) throws IOException {
    alive();
    int n = changes++;
    if (n == dieAt) {
      dead = true;
      throw new IOException("died at change " + dieAt + ": " + what);
    }
    if (afterInterrupt != null) {
      afterInterrupt.add(what);
    }
    if (n == interruptAt) {
      // The change goes ahead; the thread learns that its master no longer leads.
      afterInterrupt = new ArrayList<>();
      Thread.currentThread().interrupt();
    }
  }

  private static int interruptAt = -1;
  private static List<String> afterInterrupt;

  /** Interrupts the thread making the {@code n}-th change from now, after that change. */
  static synchronized void interruptAt(int n) {
    revive();
    interruptAt = n;
    afterInterrupt = null;
  }

  /** The changes made after the interruption (null: there was none). */
  static synchronized List<String> changesAfterInterrupt() {
    return afterInterrupt == null ? null : List.copyOf(afterInterrupt);
  }

  private static Path local(String path) {
    if (!path.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a crash:// path: " + path);
    }
    return Path.of(path.substring(PREFIX.length()));
  }

  @Override
  public boolean supports(String scheme) {
    return scheme.equals("crash");
  }

  @Override
  public FileSystem get(URI uri, Configuration conf) {
    return this;
  }

  @Override
  public String scheme() {
    return "crash";
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    alive();
    return LocalFileSystem.INSTANCE.open(local(path).toString(), offset);
  }

  @Override
  public OutputStream create(String path) throws IOException {
    change("create " + path);
    return LocalFileSystem.INSTANCE.create(local(path).toString());
  }

  @Override
  public void mkdirs(String path) throws IOException {
    change("mkdirs " + path);
    LocalFileSystem.INSTANCE.mkdirs(local(path).toString());
  }

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    alive();
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus s : LocalFileSystem.INSTANCE.list(local(dir).toString())) {
      out.add(new FileStatus(PREFIX + s.path(), s.length(), s.directory(), s.blockSize()));
    }
    return out;
  }

  @Override
  public FileStatus status(String path) throws IOException {
    alive();
    FileStatus s = LocalFileSystem.INSTANCE.status(local(path).toString());
    return new FileStatus(PREFIX + s.path(), s.length(), s.directory(), s.blockSize());
  }

  @Override
  public boolean exists(String path) throws IOException {
    alive();
    return Files.exists(local(path));
  }

  @Override
  public void rename(String from, String to) throws IOException {
    change("rename " + from + " -> " + to);
    LocalFileSystem.INSTANCE.rename(local(from).toString(), local(to).toString());
  }

  @Override
  public void delete(String path) throws IOException {
    alive();
    Path root = local(path);
    if (!Files.exists(root)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.sorted(Comparator.reverseOrder()).toList(); // children before their directory
    }
    for (Path p : all) {
      change("delete " + p);
      Files.delete(p);
    }
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length) {
    return List.of(new BlockLocation(start, length, List.of()));
  }
}
