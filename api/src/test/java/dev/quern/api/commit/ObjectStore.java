package dev.quern.api.commit;

import dev.quern.api.Configuration;
import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystemProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An {@code obj://} store that behaves like S3 through a Hadoop connector: an object appears
 * whole when its writer closes; a directory is a marker object; renaming a file copies it; renaming
 * a directory copies its files one by one, and {@link #crashAfterCopies} makes that copy stop
 * (as a process that dies) after so many files. Registered through META-INF/services.
 */
public final class ObjectStore implements FileSystem, FileSystemProvider {
  static final Map<String, byte[]> OBJECTS = new ConcurrentSkipListMap<>();
  private static final byte[] DIR = new byte[0];
  /** Copies left before a directory rename "crashes"; negative: never. */
  static volatile int crashAfterCopies = -1;

  @Override
  public boolean supports(String scheme) {
    return scheme.equals("obj");
  }

  @Override
  public FileSystem get(URI uri, Configuration conf) {
    return this;
  }

  @Override
  public String scheme() {
    return "obj";
  }

  private static String norm(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static boolean isDir(String p) {
    return OBJECTS.get(norm(p)) == DIR || OBJECTS.keySet().stream()
        .anyMatch(k -> k.startsWith(norm(p) + "/"));
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    byte[] b = OBJECTS.get(norm(path));
    if (b == null || b == DIR) {
      throw new FileNotFoundException("object " + path + " does not exist");
    }
    return new ByteArrayInputStream(b, (int) offset, b.length - (int) offset);
  }

  @Override
  public OutputStream create(String path) throws IOException {
    if (exists(path)) {
      throw new IOException(path + " exists");
    }
    return new ByteArrayOutputStream() {
      @Override
      public void close() {
        OBJECTS.put(norm(path), toByteArray());
      }
    };
  }

  @Override
  public void mkdirs(String path) {
    OBJECTS.putIfAbsent(norm(path), DIR);
  }

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    String prefix = norm(dir) + "/";
    TreeMap<String, FileStatus> out = new TreeMap<>();
    OBJECTS.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        String rest = k.substring(prefix.length());
        int slash = rest.indexOf('/');
        String child = prefix + (slash < 0 ? rest : rest.substring(0, slash));
        boolean d = slash >= 0 || v == DIR;
        out.put(child, new FileStatus(child, d ? 0 : v.length, d, 0));
      }
    });
    if (out.isEmpty() && !isDir(dir)) {
      throw new FileNotFoundException("directory " + dir + " does not exist");
    }
    return new ArrayList<>(out.values());
  }

  @Override
  public FileStatus status(String path) throws IOException {
    byte[] b = OBJECTS.get(norm(path));
    if (b != null && b != DIR) {
      return new FileStatus(norm(path), b.length, false, 0);
    }
    if (!isDir(path)) {
      throw new FileNotFoundException("path " + path + " does not exist");
    }
    return new FileStatus(norm(path), 0, true, 0);
  }

  @Override
  public boolean exists(String path) {
    return OBJECTS.containsKey(norm(path)) || isDir(path);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    if (exists(to)) {
      throw new IOException("cannot rename " + from + " onto " + to + ": it exists");
    }
    String f = norm(from);
    byte[] b = OBJECTS.get(f);
    if (b != null && b != DIR) {
      OBJECTS.put(norm(to), b); // one object: the copy appears whole
      OBJECTS.remove(f);
      return;
    }
    for (String k : new ArrayList<>(OBJECTS.keySet())) {
      if (k.equals(f) || k.startsWith(f + "/")) {
        if (crashAfterCopies == 0) {
          throw new IOException("crashed in the middle of renaming " + from);
        }
        crashAfterCopies--;
        OBJECTS.put(norm(to) + k.substring(f.length()), OBJECTS.get(k));
      }
    }
    delete(from);
  }

  @Override
  public void delete(String path) {
    OBJECTS.keySet().removeIf(k -> k.equals(norm(path)) || k.startsWith(norm(path) + "/"));
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length) {
    return List.of(new BlockLocation(start, length, List.of()));
  }
}
