package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.FileInputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code teravalidate IN OUT}: checks that the records of IN's files are sorted within each file
 * and across files in name order, and writes {@code checksum} and {@code error} lines into OUT.
 * Prints the checksum (sum of the records' CRC32s, hex, as Hadoop's TeraValidate); on a
 * misorder prints the first error and exits 1.
 */
public final class TeraValidate {
  private TeraValidate() {}

  /** What the validation found. */
  public record Report(String checksum, List<String> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  /** With no arguments, generates and sorts the sample, then validates it. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      Path dir = TeraSample.freshDir("teravalidate");
      String input = TeraSample.generate(dir, JobSubmitter.current());
      String sorted = dir.resolve("sorted").toString();
      TeraSample.exitCode("terasort",
          TeraSort.run(new String[] {input, sorted}, JobSubmitter.current()));
      args = new String[] {sorted, dir.resolve("output").toString()};
      System.out.println("teravalidate: no arguments, so validating the sorted sample: "
          + "teravalidate " + args[0] + " " + args[1]);
    }
    if (args.length < 2 || args.length > 2) {
      throw new IllegalArgumentException("usage: teravalidate IN OUT");
    }
    TeraSample.exitCode("teravalidate", run(args, JobSubmitter.current()));
  }

  /** Runs the job; returns 0 when the input is sorted, 1 when not or the job failed, 2 on bad
   * arguments. */
  public static int run(String[] args, JobSubmitter submitter) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: teravalidate IN OUT");
      return 2;
    }
    JobStatus status = job(args[0], args[1], Map.of()).submit(submitter).awaitCompletion();
    if (!status.succeeded()) {
      System.err.println("teravalidate failed: " + status.failure());
      return 1;
    }
    Report report = readReport(args[1], Configuration.empty());
    System.out.println("checksum " + report.checksum());
    if (!report.ok()) {
      System.err.println("teravalidate: " + report.errors().size() + " error(s); first: "
          + report.errors().get(0));
      return 1;
    }
    return 0;
  }

  public static Job job(String in, String out, Map<String, String> extra) {
    return Job.builder("teravalidate")
        .input(in)
        .output(out)
        .inputFormat(ValidateInputFormat.class)
        .mapper(ValidateMapper.class)
        .reducer(ValidateReducer.class)
        .mapOutput(String.class, String.class)
        .reduceTasks(1)
        .configure(extra)
        .build();
  }

  /** Reads the {@code checksum} and {@code error} lines of a finished validation's output. */
  public static Report readReport(Path out) throws IOException {
    return readReport(out.toString(), Configuration.empty());
  }

  /** As {@link #readReport(Path)}, for an output on any filesystem ({@code hdfs://...}). */
  public static Report readReport(String out, Configuration conf) throws IOException {
    String checksum = "0";
    List<String> errors = new ArrayList<>();
    FileSystem fs = FileSystems.get(out, conf);
    for (FileStatus file : FileInputFormat.listFiles(fs, out)) {
      String text;
      try (InputStream in = fs.open(file.path(), 0)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (String line : text.split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        int tab = line.indexOf('\t');
        String key = tab < 0 ? line : line.substring(0, tab);
        String value = tab < 0 ? "" : line.substring(tab + 1);
        if (key.equals(ValidateMapper.CHECKSUM)) {
          checksum = value;
        } else if (key.equals(ValidateMapper.ERROR)) {
          errors.add(value);
        }
      }
    }
    return new Report(checksum, List.copyOf(errors));
  }
}
