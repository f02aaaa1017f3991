package dev.quern.api.commit;

import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A committer that renames no directory, for output stores where only the creation of one file
 * is atomic (object stores: S3, GCS, Azure Blob, through their Hadoop connectors). It is the idea
 * of Hadoop's manifest committer, simplified.
 *
 * <ul>
 *   <li>Task commit: list the attempt's files (recursively) and write their names and lengths to
 *       one small manifest named for the attempt, {@code
 *       OUT/_temporary/committed/<attempt>.manifest} (e.g. {@code r-00002_1.manifest}), written
 *       under a temporary name and renamed onto that name (one file: atomic on a local disk and
 *       HDFS, and the copy of one object on an object store appears whole). The manifest ends
 *       with a line that counts its entries, so a torn one is refused rather than half-used. The
 *       files themselves stay where the attempt wrote them. No task commit replaces another
 *       attempt's manifest.
 *   <li>Job commit: read the manifest of each attempt that the master's book records as committed
 *       ({@link JobCommitContext#committedAttempts}; every manifest when the map is null), all of
 *       them before anything moves, then rename each listed file into OUT, then remove {@code
 *       _temporary} (the steps around the move are {@link OutputPaths#commitJob}'s). A rerun
 *       after a crash skips files already moved (the source is gone and the target has the
 *       listed length); manifests stay until {@code _temporary} goes, so a committed attempt
 *       without one is an error naming the task and the manifest.
 * </ul>
 *
 * What holds on such a store: a task's committed output is exactly the files of the attempt the
 * book records as committed (a crashed task commit leaves no manifest; files of a losing, crashed
 * or zombie attempt are never listed in a manifest that is read, so never promoted); {@code
 * _SUCCESS} appears once, after every file is in place. What does not: while the job commit runs,
 * a reader of OUT may see some files and not others (as with every committer here: wait for
 * {@code _SUCCESS}), and each file's rename is a copy on an object store, so the job commit takes
 * time in proportion to the output's size.
 *
 * <pre>{@code
 * Job.builder("wc").output("s3a://bucket/out").set(OutputCommitters.KEY, "manifest")
 * }</pre>
 */
public class ManifestOutputCommitter implements OutputCommitter {
  static final String SUFFIX = ".manifest";
  private static final String HEADER = "quern-manifest 1";

  @Override
  public void setupJob(JobCommitContext job) throws IOException {
    OutputPaths.setupJob(job);
  }

  @Override
  public void commitTask(TaskCommitContext task) throws IOException {
    FileSystem fs = task.fs();
    String root = OutputPaths.committedRoot(task.outputPath());
    OutputPaths.createUnderTemporary(fs, root);
    if (!fs.exists(task.workDir())) {
      OutputPaths.createUnderTemporary(fs, task.workDir());
    }
    StringBuilder text = new StringBuilder(HEADER).append('\n')
        .append(task.workDir()).append('\n');
    int n = list(fs, task.workDir(), "", text);
    text.append("end ").append(n).append('\n');
    String target = manifest(task.outputPath(), task.attemptName());
    String tmp = OutputPaths.join(root, "." + task.attemptName() + SUFFIX + ".tmp");
    fs.delete(tmp);
    try (OutputStream o = fs.create(tmp)) {
      o.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    fs.delete(target); // this same attempt committing again: its listing is the same
    fs.rename(tmp, target);
  }

  /** {@code OUT/_temporary/committed/<attempt>.manifest}. */
  static String manifest(String outputPath, String attemptName) {
    return OutputPaths.committedDir(outputPath, attemptName + SUFFIX);
  }

  /** Appends {@code length<TAB>relative name} for each file under {@code dir}; their number. */
  private static int list(FileSystem fs, String dir, String prefix, StringBuilder text)
      throws IOException {
    int n = 0;
    for (FileStatus s : fs.list(dir)) {
      String rel = prefix + s.name();
      if (rel.indexOf('\n') >= 0) {
        throw new IOException("cannot commit file " + s.path() + ": its name holds a newline");
      }
      if (s.directory()) {
        n += list(fs, s.path(), rel + "/", text);
      } else {
        text.append(s.length()).append('\t').append(rel).append('\n');
        n++;
      }
    }
    return n;
  }

  @Override
  public void abortTask(TaskCommitContext task) throws IOException {
    task.fs().delete(task.workDir());
  }

  /** See the class comment; {@link RenameOutputCommitter#commitJob} for the same rules. */
  @Override
  public void commitJob(JobCommitContext job) throws IOException {
    OutputPaths.commitJob(job, fs -> promote(fs, job));
  }

  private static void promote(FileSystem fs, JobCommitContext job) throws IOException {
    String out = job.outputPath();
    List<Manifest> manifests = new ArrayList<>();
    for (String m : manifests(fs, job)) {
      manifests.add(read(fs, m));
    }
    List<String> moved = new ArrayList<>();
    try {
      for (Manifest m : manifests) {
        promote(fs, job, m, moved);
      }
    } catch (IOException | RuntimeException e) {
      RenameOutputCommitter.takeBack(fs, moved, e);
      throw e;
    }
  }

  /** The manifests to promote, each checked to be there. */
  private static List<String> manifests(FileSystem fs, JobCommitContext job)
      throws IOException {
    String out = job.outputPath();
    String root = OutputPaths.committedRoot(out);
    List<String> found = new ArrayList<>();
    if (!job.knowsCommittedAttempts()) {
      if (fs.exists(root)) {
        for (FileStatus m : fs.list(root)) {
          if (m.name().endsWith(SUFFIX) && !m.directory()) {
            found.add(m.path());
          }
        }
      }
      return found;
    }
    for (Map.Entry<String, String> e : job.committedAttempts().entrySet()) {
      String m = manifest(out, e.getValue());
      if (!fs.exists(m)) {
        throw new FileNotFoundException("task " + e.getKey() + " committed attempt "
            + e.getValue() + ", but its manifest " + m + " is missing");
      }
      found.add(m);
    }
    return found;
  }

  /** A manifest read back: where its files are, and each one's relative name and length. */
  private record Manifest(String path, String workDir, List<String> names, List<Long> lengths) {}

  private static Manifest read(FileSystem fs, String manifest) throws IOException {
    String[] lines;
    try (InputStream in = fs.open(manifest, 0)) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
    }
    // header, work dir, entries..., "end N", "" (after the last newline)
    int entries = lines.length - 4;
    if (lines.length < 4 || !lines[0].equals(HEADER)
        || !lines[lines.length - 2].equals("end " + entries)
        || !lines[lines.length - 1].isEmpty()) {
      throw new IOException("manifest " + manifest + " is damaged (not a whole "
          + HEADER + " file)");
    }
    List<String> names = new ArrayList<>(entries);
    List<Long> lengths = new ArrayList<>(entries);
    for (int i = 2; i < 2 + entries; i++) {
      int tab = lines[i].indexOf('\t');
      lengths.add(Long.parseLong(lines[i].substring(0, tab)));
      names.add(lines[i].substring(tab + 1));
    }
    return new Manifest(manifest, lines[1], names, lengths);
  }

  private static void promote(FileSystem fs, JobCommitContext job, Manifest m,
      List<String> moved) throws IOException {
    String out = job.outputPath();
    for (int i = 0; i < m.names().size(); i++) {
      String rel = m.names().get(i);
      long length = m.lengths().get(i);
      String source = join(m.workDir(), rel);
      String target = join(out, rel);
      boolean sourceThere = fs.exists(source);
      if (fs.exists(target)) {
        if (!sourceThere && fs.status(target).length() == length) {
          continue; // moved by an earlier run of this commit
        }
        throw new IOException("two tasks wrote " + target + " (the second listed in "
            + m.path() + ")");
      }
      if (!sourceThere) {
        throw new IOException("file " + source + " listed in " + m.path() + " is missing");
      }
      OutputPaths.stopIfInterrupted(job);
      int slash = rel.lastIndexOf('/');
      if (slash > 0) {
        fs.mkdirs(join(out, rel.substring(0, slash)));
        OutputPaths.stopIfInterrupted(job);
      }
      fs.rename(source, target);
      moved.add(target);
    }
  }

  private static String join(String dir, String rel) {
    String p = dir;
    for (String part : rel.split("/")) {
      p = OutputPaths.join(p, part);
    }
    return p;
  }

  @Override
  public void abortJob(JobCommitContext job) throws IOException {
    OutputPaths.abortJob(job);
  }
}
