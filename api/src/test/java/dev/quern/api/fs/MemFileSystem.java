package dev.quern.api.fs;

import dev.quern.api.Configuration;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@code mem://} filesystem for tests of the non-local paths: files in a map, blocks of {@link
 * #BLOCK} bytes whose hosts are {@code host-<block index % 3>}. Registered through
 * META-INF/services in the test resources, as fs-hadoop registers {@code hdfs}.
 */
public final class MemFileSystem implements FileSystem, FileSystemProvider {
  static final long BLOCK = 100;
  static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();

  @Override
  public boolean supports(String scheme) {
    return scheme.equals("mem");
  }

  @Override
  public FileSystem get(URI uri, Configuration conf) {
    return this;
  }

  @Override
  public String scheme() {
    return "mem";
  }

  private static String norm(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  @Override
  public InputStream open(String path, long offset) throws IOException {
    byte[] b = FILES.get(norm(path));
    if (b == null) {
      throw new FileNotFoundException("path " + path + " does not exist");
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
        FILES.put(norm(path), toByteArray());
      }
    };
  }

  @Override
  public void mkdirs(String path) {}

  @Override
  public List<FileStatus> list(String dir) throws IOException {
    String prefix = norm(dir) + "/";
    TreeMap<String, FileStatus> out = new TreeMap<>();
    FILES.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        String rest = k.substring(prefix.length());
        int slash = rest.indexOf('/');
        String child = prefix + (slash < 0 ? rest : rest.substring(0, slash));
        out.put(child, slash < 0 ? new FileStatus(child, v.length, false, BLOCK)
            : new FileStatus(child, 0, true, 0));
      }
    });
    if (out.isEmpty()) {
      throw new FileNotFoundException("directory " + dir + " does not exist");
    }
    return new ArrayList<>(out.values());
  }

  @Override
  public FileStatus status(String path) throws IOException {
    byte[] b = FILES.get(norm(path));
    if (b != null) {
      return new FileStatus(norm(path), b.length, false, BLOCK);
    }
    list(path);
    return new FileStatus(norm(path), 0, true, 0);
  }

  @Override
  public boolean exists(String path) {
    try {
      status(path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void rename(String from, String to) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void delete(String path) {
    FILES.keySet().removeIf(k -> k.equals(norm(path)) || k.startsWith(norm(path) + "/"));
  }

  @Override
  public List<BlockLocation> blockLocations(String path, long start, long length)
      throws IOException {
    long size = status(path).length();
    List<BlockLocation> out = new ArrayList<>();
    for (long off = 0; off < size; off += BLOCK) {
      BlockLocation b = new BlockLocation(off, Math.min(BLOCK, size - off),
          List.of("host-" + (off / BLOCK) % 3));
      if (b.overlap(start, start + length) > 0) {
        out.add(b);
      }
    }
    return out;
  }
}
