package dev.quern.examples.terasort;

import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.net.URI;

/**
 * {@code teragen ROWS OUT [MAPS]}: writes ROWS 100-byte records into OUT, byte for byte the data
 * of Hadoop's TeraGen and gensort (ROWS may end in k, m, b or t: thousands to trillions). A
 * map-only job over row ranges; prints the checksum (sum of the records' CRC32s, hex), which
 * {@code teravalidate} prints again after the sort.
 */
public final class TeraGen {
  private TeraGen() {}

  /** With no arguments, generates {@value TeraSample#ROWS} rows into a fresh temp directory. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      args = new String[] {Long.toString(TeraSample.ROWS),
          TeraSample.freshDir("teragen").resolve("output").toString()};
      System.out.println("teragen: no arguments, so generating the sample: teragen " + args[0]
          + " " + args[1]);
    }
    if (args.length < 2 || args.length > 3) {
      throw new IllegalArgumentException("usage: teragen ROWS OUT [MAPS]");
    }
    TeraSample.exitCode("teragen", run(args, JobSubmitter.current()));
  }

  /** Runs the job; returns 0 on success, 1 when it failed, 2 on bad arguments. */
  public static int run(String[] args, JobSubmitter submitter) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: teragen ROWS OUT [MAPS]");
      return 2;
    }
    long rows;
    int maps;
    try {
      rows = parseRows(args[0]);
      maps = args.length == 3 ? Integer.parseInt(args[2]) : 2;
    } catch (IllegalArgumentException e) {
      System.err.println("teragen: " + e.getMessage() + "; usage: teragen ROWS OUT [MAPS]");
      return 2;
    }
    Job job = job(rows, maps, args[1]);
    JobStatus status = job.submit(submitter).awaitCompletion();
    if (!status.succeeded()) {
      System.err.println("teragen failed: " + status.failure());
      return 1;
    }
    long checksum = status.counters().get("terasort", "checksum");
    System.out.println("teragen wrote " + rows + " rows to " + args[1] + ", checksum "
        + Long.toHexString(checksum));
    return 0;
  }

  public static Job job(long rows, int maps, String out) {
    return job(rows, maps, out, java.util.Map.of());
  }

  /** The job, with {@code extra} configuration (e.g. {@code quern.hadoop.*} settings). */
  public static Job job(long rows, int maps, String out, java.util.Map<String, String> extra) {
    // The row ranges need no input; the engine wants a path, so name one that exists: the
    // local output's parent, or the root of the output's filesystem (hdfs://nn:8020/).
    String input = FileSystems.isLocal(out)
        ? LocalFileSystem.toPath(out).toAbsolutePath().getParent().toString()
        : URI.create(out).resolve("/").toString();
    return Job.builder("teragen")
        .input(input)
        .output(out)
        .inputFormat(RowRangeInputFormat.class)
        .outputFormat(TeraOutputFormat.class)
        .mapper(TeraGenMapper.class)
        .mapOutput(byte[].class, byte[].class)
        .reduceTasks(0)
        .configure(extra)
        .set(RowRangeInputFormat.ROWS, rows)
        .set(RowRangeInputFormat.MAPS, maps)
        .build();
  }

  /** A count with an optional decimal suffix, as Hadoop's teragen: 10k, 5m, 1b, 1t. */
  static long parseRows(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
      case 'k' -> 1_000L;
      case 'm' -> 1_000_000L;
      case 'b' -> 1_000_000_000L;
      case 't' -> 1_000_000_000_000L;
      default -> 1L;
    };
    if (unit != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a row count (like 1000, 10k, 5m, 1b): " + s);
    }
  }
}
