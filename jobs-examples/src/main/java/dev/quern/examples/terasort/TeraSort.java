package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code terasort IN OUT [REDUCES]}: sorts 100-byte records by their 10-byte keys (unsigned byte
 * order). The driver samples keys to choose cut points (see {@link TeraSampler}) and puts them in
 * the job's configuration, so {@link TotalOrderPartitioner} gives each reducer one key range;
 * the concatenation of OUT's part files in name order is sorted.
 */
public final class TeraSort {
  private TeraSort() {}

  /** With no arguments, generates the sample with teragen and sorts it. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      java.nio.file.Path dir = TeraSample.freshDir("terasort");
      args = new String[] {TeraSample.generate(dir, JobSubmitter.current()),
          dir.resolve("output").toString()};
      System.out.println("terasort: no arguments, so sorting the sample: terasort " + args[0]
          + " " + args[1]);
    }
    if (args.length < 2 || args.length > 3) {
      throw new IllegalArgumentException("usage: terasort IN OUT [REDUCES]");
    }
    TeraSample.exitCode("terasort", run(args, JobSubmitter.current()));
  }

  /** Runs the job; returns 0 on success, 1 when it failed, 2 on bad arguments. */
  public static int run(String[] args, JobSubmitter submitter) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: terasort IN OUT [REDUCES]");
      return 2;
    }
    int reduces;
    try {
      reduces = args.length == 3 ? Integer.parseInt(args[2]) : 2;
    } catch (NumberFormatException e) {
      System.err.println("terasort: REDUCES is not a number: " + args[2]);
      return 2;
    }
    JobStatus status = job(args[0], args[1], reduces, Map.of()).submit(submitter)
        .awaitCompletion();
    if (!status.succeeded()) {
      System.err.println("terasort failed: " + status.failure());
      return 1;
    }
    System.out.println("terasort: sorted " + args[0] + " into " + args[1] + " (" + reduces
        + " part files)");
    return 0;
  }

  /** The sort job; samples the input now, in the driver. {@code extra} adds configuration. */
  public static Job job(String in, String out, int reduces, Map<String, String> extra)
      throws IOException {
    if (reduces < 1) {
      throw new IllegalArgumentException("terasort needs at least one reduce task");
    }
    String cuts = TeraSampler.cutPoints(List.of(in), reduces, Configuration.of(extra));
    return Job.builder("terasort")
        .input(in)
        .output(out)
        .inputFormat(TeraInputFormat.class)
        .outputFormat(TeraOutputFormat.class)
        .mapper(IdentityMapper.class)
        .partitioner(TotalOrderPartitioner.class)
        .mapOutput(byte[].class, byte[].class)
        .reduceTasks(reduces)
        .configure(extra)
        .set(TotalOrderPartitioner.CUT_POINTS, cuts)
        .build();
  }
}
