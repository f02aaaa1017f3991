package dev.quern.cli.cluster;

import dev.quern.api.Configuration;
import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystemProvider;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local disk under the scheme {@code gated:} ({@code gated:///abs/path}), with one gate: the
 * job commit's promotion of a part file ({@code OUT/_temporary/committed/TASK/FILE} to
 * {@code OUT/FILE}) first writes {@code OUT.committing} and then waits while
 * {@code OUT.hold-commit} exists. The suite uses it as a job's output to SIGKILL the leader in
 * the middle of the job commit, knowing it is there. Every process of a test has it (the test
 * class path, through {@code META-INF/services}).
 */
public final class GatedFileSystem implements FileSystem {
  static final String SCHEME = "gated";

  /** {@code gated:} for the local directory {@code dir}. */
  static String uri(Path dir) {
    return SCHEME + "://" + dir.toAbsolutePath();
  }

  /** Serves {@code gated:} paths. */
  public static final class Provider implements FileSystemProvider {
    @Override
    public boolean supports(String scheme) {
      return scheme.equals(SCHEME);
    }

    @Override
    public FileSystem get(URI uri, Configuration conf) {
      return new GatedFileSystem();
    }
  }

  private static final LocalFileSystem LOCAL = LocalFileSystem.INSTANCE;

  private static String local(String path) {
    return path.startsWith(SCHEME + "://") ? path.substring(SCHEME.length() + 3) : path;
  }

  private static String gated(String local) {
    return SCHEME + "://" + local;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    return LOCAL.open(local(path), offset);
  }

  @Override
  public OutputStream create(String path) throws IOException {
    return LOCAL.create(local(path));
  }

  @Override
  public void mkdirs(String path) throws IOException {
    LOCAL.mkdirs(local(path));
  }

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus s : LOCAL.list(local(dir))) {
      out.add(new FileStatus(gated(s.path()), s.length(), s.directory(), s.blockSize()));
    }
    return out;
  }

  @Override
  public FileStatus status(String path) throws IOException {
    FileStatus s = LOCAL.status(local(path));
    return s == null ? null : new FileStatus(gated(s.path()), s.length(), s.directory(),
        s.blockSize());
  }

  @Override
  public boolean exists(String path) throws IOException {
    return LOCAL.exists(local(path));
  }

  @Override
  public void rename(String from, String to) throws IOException {
    Path target = Path.of(local(to));
    if (local(from).contains("/_temporary/committed/") && target.getParent() != null) {
      Path out = target.getParent();
      Path hold = out.resolveSibling(out.getFileName() + ".hold-commit");
      Files.writeString(out.resolveSibling(out.getFileName() + ".committing"),
          Long.toString(ProcessHandle.current().pid()));
      long deadline = System.nanoTime() + 240_000_000_000L;
      while (Files.exists(hold) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted at the commit gate");
        }
      }
    }
    LOCAL.rename(local(from), local(to));
  }

  @Override
  public void delete(String path) throws IOException {
    LOCAL.delete(local(path));
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length)
      throws IOException {
    return LOCAL.blockLocations(local(path), start, length);
  }
}
