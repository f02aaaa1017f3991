package dev.quern.api.fs;

/**
 * What a filesystem knows about one path: its full name as the filesystem spells it (a plain path
 * for local files, {@code hdfs://nn:8020/data/a.txt} on HDFS), its length in bytes, whether it is
 * a directory, and the block size that splits should follow (0 when the store has no blocks).
 *
 * <pre>{@code
 * FileStatus s = FileSystems.get("hdfs://nn:8020/data/a.txt", conf).status("hdfs://nn:8020/data/a.txt");
 * long blocks = (s.length() + s.blockSize() - 1) / s.blockSize();
 * }</pre>
 */
public record FileStatus(String path, long length, boolean directory, long blockSize) {

  /** The last component of the path, e.g. {@code a.txt}. */
  public String name() {
    String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1)
        : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
