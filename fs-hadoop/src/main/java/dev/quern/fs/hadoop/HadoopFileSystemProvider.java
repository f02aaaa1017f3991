package dev.quern.fs.hadoop;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystemProvider;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves {@code hdfs://}, {@code webhdfs://}, {@code swebhdfs://} and {@code viewfs://} paths
 * through Hadoop's shaded client; registered with {@link java.util.ServiceLoader}, so putting
 * this module on the class path is all it takes.
 *
 * <p>One Hadoop client per (scheme, authority, {@code quern.hadoop.*} settings), kept for the
 * life of the process: Hadoop's own cache ignores the settings, and a client holds connections
 * worth reusing across tasks.
 *
 * <pre>{@code
 * FileSystem fs = FileSystems.get("hdfs://nn:8020/data", conf); // finds this provider
 * }</pre>
 */
public final class HadoopFileSystemProvider implements FileSystemProvider {
  private static final Set<String> SCHEMES = Set.of("hdfs", "webhdfs", "swebhdfs", "viewfs");
  private static final Map<List<Object>, HadoopFileSystem> CLIENTS = new ConcurrentHashMap<>();

  @Override
  public boolean supports(String scheme) {
    return SCHEMES.contains(scheme);
  }

  @Override
  public FileSystem get(URI uri, Configuration conf) throws IOException {
    Map<String, String> overrides = HadoopSettings.overrides(conf);
    List<Object> key = List.of(uri.getScheme().toLowerCase(java.util.Locale.ROOT),
        String.valueOf(uri.getAuthority()), overrides);
    HadoopFileSystem fs = CLIENTS.get(key);
    if (fs != null) {
      return fs;
    }
    URI root = URI.create(uri.getScheme() + "://"
        + (uri.getAuthority() == null ? "" : uri.getAuthority()) + "/");
    org.apache.hadoop.fs.FileSystem client;
    try {
      client = org.apache.hadoop.fs.FileSystem.newInstance(root,
          HadoopSettings.hadoopConf(overrides));
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot reach the filesystem of " + uri + ": " + e.getMessage(), e);
    }
    HadoopFileSystem made = new HadoopFileSystem(uri.getScheme(), client);
    HadoopFileSystem raced = CLIENTS.putIfAbsent(key, made);
    if (raced != null) {
      client.close();
      return raced;
    }
    return made;
  }
}
