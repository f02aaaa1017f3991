package dev.quern.examples.parquet;

import dev.quern.api.Configuration;
import dev.quern.api.io.RecordWriter;
import dev.quern.formats.parquet.ParquetConfig;
import dev.quern.formats.parquet.ParquetOutputFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/**
 * Seeded event data for the Parquet aggregation: the same seed gives the same files. Users follow
 * a skewed choice among {@code users} names (a few are busy, most are not), amounts are in cents
 * between 0 and 500, times one to sixty seconds apart from 2026-01-01.
 */
public final class EventSample {
  public static final long SEED = 20260101L;

  private static final String[] TYPES = {"view", "click", "cart", "purchase", "refund"};
  private static final long START = 1_767_225_600_000L;

  private EventSample() {}

  /**
   * Writes {@code events} events into {@code files} files {@code events-NNNNN.parquet} in
   * {@code dir} (created if needed), with small row groups so each file makes several splits.
   */
  public static Path write(Path dir, long seed, int events, int files, int users)
      throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(seed);
    Configuration conf = Configuration.of(Map.of(
        ParquetConfig.SCHEMA, EventSchemas.EVENT.toString(),
        ParquetConfig.COMPRESSION, "snappy",
        ParquetConfig.ROW_GROUP_SIZE, "64k"));
    long time = START;
    int written = 0;
    for (int f = 0; f < files; f++) {
      int count = (events - written) / (files - f);
      try (RecordWriter<String, GenericRecord> out = new ParquetOutputFormat<String>()
          .open(dir, String.format("events-%05d", f), conf)) {
        for (int i = 0; i < count; i++) {
          time += 1_000 + rnd.nextInt(59_000);
          int user = (int) Math.min(users - 1, Math.abs(rnd.nextGaussian()) * users / 3);
          out.write(null, new GenericRecordBuilder(EventSchemas.EVENT)
              .set("user", String.format("user-%03d", user))
              .set("type", TYPES[rnd.nextInt(TYPES.length)])
              .set("amount", rnd.nextInt(50_001) / 100.0)
              .set("time", time)
              .build());
        }
      }
      written += count;
    }
    return dir;
  }
}
