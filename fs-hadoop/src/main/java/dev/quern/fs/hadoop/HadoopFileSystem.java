package dev.quern.fs.hadoop;

import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/**
 * Quern's {@link FileSystem} over one Hadoop client. Every error names the path (Hadoop's own
 * messages about an unreachable NameNode name only its address); a missing path stays a {@link
 * FileNotFoundException}. Paths it returns are fully qualified ({@code hdfs://nn:8020/...}).
 *
 * <pre>{@code
 * FileSystem fs = FileSystems.get("hdfs://nn:8020/", conf);
 * try (InputStream in = fs.open("hdfs://nn:8020/data/a.txt", 0)) { ... }
 * }</pre>
 */
public final class HadoopFileSystem implements FileSystem {
  private final String scheme;
  private final org.apache.hadoop.fs.FileSystem fs;

  HadoopFileSystem(String scheme, org.apache.hadoop.fs.FileSystem fs) {
    this.scheme = scheme;
    this.fs = fs;
  }

  /** The Hadoop client, for formats that speak Hadoop themselves (Parquet). */
  public org.apache.hadoop.fs.FileSystem client() {
    return fs;
  }

  @Override
  public String scheme() {
    return scheme;
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    try {
      FSDataInputStream in = fs.open(new Path(path));
      try {
        if (offset > 0) {
          in.seek(offset);
        }
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
      return in;
    } catch (IOException e) {
      throw named("cannot open", path, e);
    }
  }

  @Override
  public OutputStream create(String path) throws IOException {
    try {
      return fs.create(new Path(path), false);
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      throw new FileAlreadyExistsException(path, null, "already exists");
    } catch (IOException e) {
      throw named("cannot create", path, e);
    }
  }

  @Override
  public void mkdirs(String path) throws IOException {
    try {
      if (!fs.mkdirs(new Path(path))) {
        throw new IOException("cannot create directory " + path);
      }
    } catch (IOException e) {
      throw named("cannot create directory", path, e);
    }
  }

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    try {
      List<FileStatus> out = new ArrayList<>();
      for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(new Path(dir))) {
        out.add(status(s));
      }
      out.sort(Comparator.comparing(FileStatus::path));
      return out;
    } catch (IOException e) {
      throw named("cannot list", dir, e);
    }
  }

  @Override
  public FileStatus status(String path) throws IOException {
    try {
      return status(fs.getFileStatus(new Path(path)));
    } catch (IOException e) {
      throw named("cannot read the status of", path, e);
    }
  }

  private static FileStatus status(org.apache.hadoop.fs.FileStatus s) {
    return new FileStatus(s.getPath().toString(), s.isDirectory() ? 0 : s.getLen(),
        s.isDirectory(), s.isDirectory() ? 0 : s.getBlockSize());
  }

  @Override
  public boolean exists(String path) throws IOException {
    try {
      return fs.exists(new Path(path));
    } catch (IOException e) {
      throw named("cannot check", path, e);
    }
  }

  @Override
  public void rename(String from, String to) throws IOException {
    Path target = new Path(to);
    try {
      // Hadoop renames a directory *into* an existing target directory: refuse instead, as the
      // local filesystem does, so that a commit never nests one attempt inside another.
      if (fs.exists(target)) {
        throw new FileAlreadyExistsException(to, null, "cannot rename " + from + " onto it");
      }
      if (!fs.rename(new Path(from), target)) {
        String why = !fs.exists(new Path(from)) ? from + " does not exist"
            : !fs.exists(target.getParent()) ? "the parent of " + to + " does not exist"
            : "the NameNode refused it";
        throw new IOException("cannot rename " + from + " to " + to + ": " + why);
      }
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("cannot rename")) {
        throw e;
      }
      throw named("cannot rename " + from + " to", to, e);
    }
  }

  @Override
  public void delete(String path) throws IOException {
    try {
      fs.delete(new Path(path), true);
    } catch (IOException e) {
      throw named("cannot delete", path, e);
    }
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length)
      throws IOException {
    try {
      List<BlockLocation> out = new ArrayList<>();
      for (org.apache.hadoop.fs.BlockLocation b
          : fs.getFileBlockLocations(new Path(path), start, length)) {
        out.add(new BlockLocation(b.getOffset(), b.getLength(), Arrays.asList(b.getHosts())));
      }
      return out;
    } catch (IOException e) {
      throw named("cannot read the block locations of", path, e);
    }
  }

  /** The error with the path in its message; a missing path stays a FileNotFoundException. */
  private static IOException named(String what, String path, IOException e) {
    String msg = what + " " + path + ": " + e.getMessage();
    if (e instanceof FileNotFoundException) {
      FileNotFoundException f = new FileNotFoundException(what + " " + path + ": it does not exist");
      f.initCause(e);
      return f;
    }
    return new IOException(msg, e);
  }
}
