package dev.quern.api.fs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The few filesystem operations that Quern's formats and output commit need, so that a path may
 * be local ({@code /data}, {@code file:/data}) or on a distributed store ({@code hdfs://nn:8020/data})
 * without {@code api} knowing the store. Get one with {@link FileSystems#get}; paths are the
 * strings a job names, and every path a method returns is spelled so that the same filesystem
 * accepts it back.
 *
 * <p>Errors name the path: a missing one is a {@link FileNotFoundException} with the path in its
 * message.
 *
 * <pre>{@code
 * FileSystem fs = FileSystems.get("hdfs://nn:8020/out", conf);
 * try (OutputStream o = fs.create("hdfs://nn:8020/out/_temporary/a/part-0")) {
 *   o.write(bytes);
 * }
 * fs.rename("hdfs://nn:8020/out/_temporary/a", "hdfs://nn:8020/out/_temporary/committed/t");
 * for (FileStatus s : fs.list("hdfs://nn:8020/out")) System.out.println(s.name());
 * }</pre>
 */
public interface FileSystem {

  /** The URI scheme this filesystem serves, e.g. {@code file} or {@code hdfs}. */
  String scheme();

  /** Opens a file for reading, positioned at byte {@code offset}. */
  InputStream open(String path, long offset) throws IOException;

  /**
   * Creates a file (and its missing parent directories) for writing; fails if it already exists,
   * so that no task silently overwrites another's output.
   */
  OutputStream create(String path) throws IOException;

  /** Creates a directory and its missing parents; fine if it exists. */
  void mkdirs(String path) throws IOException;

  /** The entries of a directory, sorted by path. Fails naming the path if it is missing. */
  List<FileStatus> list(String dir) throws IOException;

  /** The status of a path; a {@link FileNotFoundException} naming it if it is missing. */
  FileStatus status(String path) throws IOException;

  /** Whether the path exists. */
  boolean exists(String path) throws IOException;

  /**
   * Renames a file or directory; the target must not exist and its parent must. On a local disk
   * and on HDFS the rename of a directory is atomic, which the output commit relies on.
   */
  void rename(String from, String to) throws IOException;

  /** Deletes a file or a whole directory tree; a missing path is fine. */
  void delete(String path) throws IOException;

  /** The blocks that hold {@code [start, start + length)} of a file, in order of offset. */
  List<BlockLocation> blockLocations(String path, long start, long length) throws IOException;

  /** Joins a child name onto a directory path, e.g. {@code (hdfs://nn/out, part-0)}. */
  default String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
