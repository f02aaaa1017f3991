package dev.quern.api.fs;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Chooses the {@link FileSystem} of a path by its scheme: no scheme or {@code file:} is the local
 * disk; any other scheme ({@code hdfs://}) goes to a {@link FileSystemProvider} found on the class
 * path, and fails naming the path and the module to add when none serves it.
 *
 * <pre>{@code
 * FileSystem fs = FileSystems.get(outputPath, conf);   // LocalFileSystem for "/tmp/out"
 * if (FileSystems.isLocal(path)) { Path p = LocalFileSystem.toPath(path); ... }
 * }</pre>
 */
public final class FileSystems {
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  private FileSystems() {}

  /**
   * Whether the path names a local file: no scheme or {@code file:}. Local paths keep their
   * {@code java.nio} fast paths everywhere.
   */
  public static boolean isLocal(String path) {
    return path.startsWith("file:") || !SCHEME.matcher(path).matches();
  }

  /** The scheme of a path, lower case; {@code file} for a plain path. */
  public static String scheme(String path) {
    if (isLocal(path)) {
      return "file";
    }
    return path.substring(0, path.indexOf(':')).toLowerCase(Locale.ROOT);
  }

  /** The filesystem that serves the path, configured from the job's configuration. */
  public static FileSystem get(String path, Configuration conf) throws IOException {
    if (isLocal(path)) {
      return LocalFileSystem.INSTANCE;
    }
    String scheme = scheme(path);
    URI uri;
    try {
      uri = URI.create(path);
    } catch (IllegalArgumentException e) {
      throw new IOException("path " + path + " is not a valid URI: " + e.getMessage(), e);
    }
    FileSystemProvider provider = find(scheme, FileSystems.class.getClassLoader());
    if (provider == null) {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null && context != FileSystems.class.getClassLoader()) {
        provider = find(scheme, context);
      }
    }
    if (provider == null) {
      throw new IOException("no filesystem serves the scheme '" + scheme + "' of path " + path
          + (scheme.equals("hdfs") || scheme.equals("webhdfs") || scheme.equals("viewfs")
              ? ": put the module quern-fs-hadoop (fs-hadoop/) on the class path"
              : ": add a module with a dev.quern.api.fs.FileSystemProvider for it"));
    }
    return provider.get(uri, conf);
  }

  private static FileSystemProvider find(String scheme, ClassLoader loader) {
    for (FileSystemProvider p : ServiceLoader.load(FileSystemProvider.class, loader)) {
      if (p.supports(scheme)) {
        return p;
      }
    }
    return null;
  }
}
