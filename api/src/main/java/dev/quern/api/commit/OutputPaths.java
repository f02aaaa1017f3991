package dev.quern.api.commit;

import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.io.InterruptedIOException;
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
 * OUT/_temporary/committed/          what committed attempts left for the job commit, each under
 *                                    its own name (r-00002_1/, or r-00002_1.manifest)
 * OUT/_temporary.promoted            for a moment in the job commit: every committed file is in
 *                                    OUT, what is left is to remove _temporary (see commitJob)
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
  /**
   * {@code OUT/_temporary.promoted}: an empty file that the job commit creates once every
   * committed file is in OUT, and removes after {@code _temporary} (see {@link #commitJob}).
   */
  public static final String PROMOTED_MARK = TEMPORARY + ".promoted";

  private OutputPaths() {}

  public static String temporaryDir(String outputPath) {
    return join(outputPath, TEMPORARY);
  }

  /** {@code OUT/_temporary/committed}, where committed tasks leave their output. */
  public static String committedRoot(String outputPath) {
    return join(temporaryDir(outputPath), COMMITTED);
  }

  /**
   * {@code OUT/_temporary/committed/<name>}: the committed output of the attempt whose work
   * directory is named {@code name} ({@link TaskCommitContext#attemptName}).
   */
  public static String committedDir(String outputPath, String name) {
    return join(committedRoot(outputPath), name);
  }

  /** The last name of a path on any filesystem, e.g. {@code r-00002_1}. */
  public static String name(String path) {
    String p = path.endsWith("/") || path.endsWith("\\") ? path.substring(0, path.length() - 1)
        : path;
    return p.substring(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
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

  /** Step 1 of a job commit: moves the committed attempts' files into OUT. */
  @FunctionalInterface
  interface Promotion {
    /**
     * Moves what the committed attempts left into OUT. Runs again after a crash at any point of
     * it, over what the last run left, so it must skip what is already moved; a committed
     * attempt's output it cannot find is an error (the earlier run left it in place).
     */
    void promote(FileSystem fs) throws IOException;
  }

  /**
   * The job commit's steps around the committer's own promotion, each safe to run again after a
   * crash at any point:
   *
   * <pre>
   * if OUT/_temporary.promoted is absent:
   *   if OUT/_temporary exists:  promote (step 1, idempotent; leaves each attempt's
   *                              committed directory or manifest in place)
   *                              create OUT/_temporary.promoted                (step 2)
   *   else if OUT exists:        return: an earlier run got past step 4
   *   else:                      fail: the output directory is gone
   * rm -r OUT/_temporary                                                        (step 3)
   * rm OUT/_temporary.promoted                                                  (step 4)
   * </pre>
   *
   * Why the mark: step 1 keeps each committed attempt's directory (or manifest), so a rerun can
   * tell a committed output that is missing (an error) from one already moved (an empty
   * directory). Step 3 takes those away, not atomically (a recursive delete); the mark, created
   * before and removed after it, says that every file is in place, and the absence of both
   * {@code _temporary} and the mark says the same (the mark goes only after {@code _temporary}).
   */
  static void commitJob(JobCommitContext job, Promotion promotion) throws IOException {
    FileSystem fs = job.fs();
    String out = job.outputPath();
    String tmp = temporaryDir(out);
    String mark = join(out, PROMOTED_MARK);
    if (!fs.exists(mark)) {
      if (fs.exists(tmp)) {
        stopIfInterrupted(job);
        promotion.promote(fs);
        stopIfInterrupted(job);
        fs.create(mark).close();
      } else if (fs.exists(out)) {
        return;
      } else {
        throw new NoSuchFileException(out, null,
            "the output directory of job " + job.jobId() + " is gone: nothing to commit");
      }
    }
    stopIfInterrupted(job);
    deleteTemporary(fs, tmp);
    stopIfInterrupted(job);
    fs.delete(mark);
  }

  /**
   * Stops a job commit whose thread was interrupted, between two of its changes: how a master
   * that no longer leads stops the commit it began (the new leader runs it again), so two runs
   * of one job commit never interleave past the change each was making. What was moved stays
   * moved; the rerun takes it from there, as after a crash.
   */
  static void stopIfInterrupted(JobCommitContext job) throws InterruptedIOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("the commit of job " + job.jobId() + " to "
          + job.outputPath() + " was stopped (interrupted); what it moved stays for a rerun");
    }
  }

  /** Whether {@code e} stopped a job commit that must leave its moves for a rerun. */
  static boolean stopped(Exception e) {
    return e instanceof InterruptedIOException || Thread.currentThread().isInterrupted();
  }

  /**
   * Step 3. A zombie attempt may still be adding files under {@code _temporary} while it goes, so
   * a recursive delete can find a directory not empty: try again, a few times.
   */
  private static void deleteTemporary(FileSystem fs, String tmp) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        fs.delete(tmp);
        return;
      } catch (IOException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * The usual {@code abortJob}: removes OUT whole when the job created it, else {@code
   * OUT/_temporary} and {@code OUT/_temporary.promoted} (OUT and what it held before stay). Safe
   * to run again.
   */
  public static void abortJob(JobCommitContext job) throws IOException {
    FileSystem fs = job.fs();
    String tmp = temporaryDir(job.outputPath());
    if (fs.exists(join(tmp, CREATED_MARK))) {
      fs.delete(job.outputPath());
    } else {
      fs.delete(tmp);
      fs.delete(join(job.outputPath(), PROMOTED_MARK));
    }
  }
}
