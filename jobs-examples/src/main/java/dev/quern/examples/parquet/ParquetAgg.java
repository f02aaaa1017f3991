package dev.quern.examples.parquet;

import dev.quern.api.Job;
import dev.quern.examples.Drivers;
import dev.quern.formats.parquet.ParquetConfig;
import dev.quern.formats.parquet.ParquetInputFormat;
import dev.quern.formats.parquet.ParquetOutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * Aggregates Parquet into Parquet: {@code parquet-agg IN OUT} reads event records ({@link
 * EventSchemas#EVENT}: user, type, amount, time) and writes one {@link EventSchemas#USER_TOTAL}
 * record per user (user, events, amount) into snappy-compressed Parquet files {@code
 * part-r-NNNNN.parquet}. Only the {@code user} and {@code amount} columns are read; a combiner
 * adds up each user's events on the map side.
 *
 * <p>With no arguments, {@link EventSample} writes seeded events as Parquet into a fresh temp
 * directory first. Needs formats-parquet on the classpath (the cli distribution has it).
 */
public final class ParquetAgg {
  static final String USAGE = "parquet-agg IN OUT";

  /** The size of the built-in sample. */
  static final int SAMPLE_EVENTS = 50_000;
  static final int SAMPLE_FILES = 2;
  static final int SAMPLE_USERS = 200;

  private ParquetAgg() {}

  public static void main(String[] args) throws Exception {
    String input;
    String output;
    if (args.length == 0) {
      Path base = Files.createTempDirectory("quern-parquet-agg-");
      input = EventSample.write(base.resolve("input"), EventSample.SEED, SAMPLE_EVENTS,
          SAMPLE_FILES, SAMPLE_USERS).toString();
      output = base.resolve("output").toString();
      System.out.println("parquet-agg: no arguments, so running on " + SAMPLE_EVENTS
          + " generated events (seed " + EventSample.SEED + "): parquet-agg " + input + " "
          + output);
    } else if (args.length == 2) {
      input = args[0];
      output = args[1];
    } else {
      throw new IllegalArgumentException("usage: " + USAGE);
    }
    Drivers.run(job(input, output));
    System.out.println("parquet-agg: output in " + output);
  }

  public static Job job(String input, String output) {
    return job(input, output, Map.of());
  }

  /** The job; {@code extra} adds configuration (e.g. a split size). */
  public static Job job(String input, String output, Map<String, String> extra) {
    return Job.builder("parquet-agg")
        .input(input)
        .output(output)
        .inputFormat(ParquetInputFormat.class)
        .outputFormat(ParquetOutputFormat.class)
        .mapper(EventMapper.class)
        .combiner(TallyCombiner.class)
        .reducer(UserTotalReducer.class)
        .mapOutput(String.class, Tally.class)
        .output(String.class, GenericRecord.class)
        .reduceTasks(2)
        .set(ParquetConfig.COLUMNS, "user,amount")
        .set(ParquetConfig.SCHEMA, EventSchemas.USER_TOTAL.toString())
        .set(ParquetConfig.COMPRESSION, "snappy")
        .configure(extra)
        .build();
  }
}
