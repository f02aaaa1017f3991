package dev.quern.api.fs;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.net.URI;

/**
 * Makes {@link FileSystem}s for URI schemes other than {@code file}. Found through {@link
 * java.util.ServiceLoader} (a {@code META-INF/services/dev.quern.api.fs.FileSystemProvider} file),
 * so a module on the class path, such as {@code quern-fs-hadoop} for {@code hdfs://}, adds a
 * scheme without {@code api} depending on it.
 *
 * <pre>{@code
 * public final class MemProvider implements FileSystemProvider {
 *   public boolean supports(String scheme) { return scheme.equals("mem"); }
 *   public FileSystem get(URI uri, Configuration conf) { return MemFs.INSTANCE; }
 * }
 * }</pre>
 */
public interface FileSystemProvider {

  /** Whether this provider serves paths with the scheme (lower case, e.g. {@code hdfs}). */
  boolean supports(String scheme);

  /** The filesystem of the path {@code uri}, configured from the job's configuration. */
  FileSystem get(URI uri, Configuration conf) throws IOException;
}
