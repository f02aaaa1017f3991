package dev.quern.api.commit;

import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A committer that renames no directory, for output stores where only the creation of one file
 * is atomic (object stores: S3, GCS, Azure Blob, through their Hadoop connectors). It is the idea
 * of Hadoop's manifest committer, simplified.
 *
 * <ul>
 *   <li>Task commit: list the attempt's files (recursively) and write their names and lengths to
 *       one small manifest, {@code OUT/_temporary/committed/<task>.manifest}, written under a
 *       temporary name and renamed onto that name (one file: atomic on a local disk and HDFS, and
 *       the copy of one object on an object store appears whole). The manifest ends with a line
 *       that counts its entries, so a torn one is refused rather than half-used. The files
 *       themselves stay where the attempt wrote them.
 *   <li>Job commit: for each manifest, rename each listed file into OUT, then remove {@code
 *       _temporary}. A rerun after a crash skips files already moved (the source is gone and the
 *       target has the listed length).
 * </ul>
 *
 * What holds on such a store: a task's committed output is exactly the files of the one granted
 * attempt that wrote its manifest (a crashed task commit leaves no manifest, or the whole old one;
 * files of a losing or crashed attempt are never listed, so never promoted); {@code _SUCCESS}
 * appears once, after every file is in place. What does not: while the job commit runs, a reader
 * of OUT may see some files and not others (as with every committer here: wait for {@code
 * _SUCCESS}), and each file's rename is a copy on an object store, so the job commit takes time
 * in proportion to the output's size.
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
    String target = OutputPaths.join(root, task.taskName() + SUFFIX);
    String tmp = OutputPaths.join(root,
        "." + task.taskName() + "." + name(task.workDir()) + SUFFIX + ".tmp");
    fs.delete(tmp);
    try (OutputStream o = fs.create(tmp)) {
      o.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    // An earlier grant holder's manifest: that holder was lost before it reported.
    fs.delete(target);
    fs.rename(tmp, target);
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

  private static String name(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  }

  @Override
  public void abortTask(TaskCommitContext task) throws IOException {
    task.fs().delete(task.workDir());
  }

  @Override
  public void commitJob(JobCommitContext job) throws IOException {
    FileSystem fs = job.fs();
    String out = job.outputPath();
    String root = OutputPaths.committedRoot(out);
    List<String> moved = new ArrayList<>();
    try {
      if (fs.exists(root)) {
        for (FileStatus m : fs.list(root)) {
          if (m.name().endsWith(SUFFIX)) {
            promote(fs, out, m.path(), moved);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      RenameOutputCommitter.takeBack(fs, moved, e);
      throw e;
    }
    fs.delete(OutputPaths.temporaryDir(out));
  }

  private static void promote(FileSystem fs, String out, String manifest, List<String> moved)
      throws IOException {
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
    String work = lines[1];
    for (int i = 2; i < 2 + entries; i++) {
      int tab = lines[i].indexOf('\t');
      long length = Long.parseLong(lines[i].substring(0, tab));
      String rel = lines[i].substring(tab + 1);
      String source = join(work, rel);
      String target = join(out, rel);
      boolean sourceThere = fs.exists(source);
      if (fs.exists(target)) {
        if (!sourceThere && fs.status(target).length() == length) {
          continue; // moved by an earlier run of this commit
        }
        throw new IOException("two tasks wrote " + target + " (the second listed in "
            + manifest + ")");
      }
      if (!sourceThere) {
        throw new IOException("file " + source + " listed in " + manifest + " is missing");
      }
      int slash = rel.lastIndexOf('/');
      if (slash > 0) {
        fs.mkdirs(join(out, rel.substring(0, slash)));
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
