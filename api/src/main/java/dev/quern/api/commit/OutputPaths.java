package dev.quern.api.commit;

import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * The places under a job's output directory {@code OUT} that the bundled committers use, and the
 * job steps they share. Paths are strings, not {@code java.nio} paths, so that {@code
 * hdfs://nn:8020/out} keeps its {@code //}.
 *
 * <pre>
 * OUT/_temporary/                    everything uncommitted
 * OUT/_temporary/.created-output     there when the job created OUT (it did not exist before)
 * OUT/_temporary/r-00002_1/          attempt 1 of reduce 2 writes here
 * OUT/_temporary/committed/          what committed tasks left for the job commit
 * </pre>
 *
 * <pre>{@code
 * String tmp = OutputPaths.temporaryDir("hdfs://nn:8020/out");  // hdfs://nn:8020/out/_temporary
 * }</pre>
 */
public final class OutputPaths {
  public static final String TEMPORARY = "_temporary";
  public static final String COMMITTED = "committed";
  public static final String SUCCESS = "_SUCCESS";
  /** Marks a job's {@code _temporary} when the job created OUT itself. */
  public static final String CREATED_MARK = ".created-output";

  private OutputPaths() {}

  public static String temporaryDir(String outputPath) {
    return join(outputPath, TEMPORARY);
  }

  /** {@code OUT/_temporary/committed}, where committed tasks leave their output. */
  public static String committedRoot(String outputPath) {
    return join(temporaryDir(outputPath), COMMITTED);
  }

  /**
   * A child of a directory on any filesystem: a local one spelled as {@code Path.resolve} spells
   * it (a {@code file:} URI becomes a plain path), any other joined with {@code /}.
   */
  public static String join(String dir, String name) {
    if (FileSystems.isLocal(dir)) {
      return LocalFileSystem.toPath(dir).resolve(name).toString();
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** The parent directory of a path on any filesystem, spelled as {@link #join} spells it. */
  public static String parent(String path) {
    if (FileSystems.isLocal(path)) {
      return LocalFileSystem.toPath(path).toAbsolutePath().getParent().toString();
    }
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(0, p.lastIndexOf('/'));
  }

  /**
   * Creates {@code dir} (an attempt's directory, or {@code committed}) inside an existing {@code
   * OUT/_temporary}: an attempt of a job that has ended, whose output the master removed, must
   * not bring the directory back.
   */
  public static void createUnderTemporary(FileSystem fs, String dir) throws IOException {
    String parent = parent(dir);
    if (!fs.exists(parent) || !fs.status(parent).directory()) {
      throw new NoSuchFileException(parent, null,
          "the job's temporary output directory is gone (the job has ended)");
    }
    fs.mkdirs(dir);
  }

  /**
   * The usual {@code setupJob}: creates {@code OUT/_temporary} (fine if it exists) and, when OUT
   * itself did not exist, marks the job as its creator, so that {@link #abortJob} removes it whole.
   */
  public static void setupJob(JobCommitContext job) throws IOException {
    FileSystem fs = job.fs();
    String out = job.outputPath();
    boolean created = !fs.exists(out);
    String tmp = temporaryDir(out);
    fs.mkdirs(tmp);
    if (created) {
      String mark = join(tmp, CREATED_MARK);
      if (!fs.exists(mark)) {
        fs.create(mark).close();
      }
    }
  }

  /**
   * The usual {@code abortJob}: removes OUT whole when the job created it, else {@code
   * OUT/_temporary} (OUT and what it held before stay). Safe to run again.
   */
  public static void abortJob(JobCommitContext job) throws IOException {
    FileSystem fs = job.fs();
    String tmp = temporaryDir(job.outputPath());
    if (fs.exists(join(tmp, CREATED_MARK))) {
      fs.delete(job.outputPath());
    } else {
      fs.delete(tmp);
    }
  }
}
