package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * Picks TeraSort's cut points in the driver, as Hadoop's TeraSort does: read the first keys of up
 * to {@value #DEFAULT_SAMPLED_SPLITS} evenly spaced splits ({@value #SAMPLE_SIZE} keys in all),
 * sort them, and take the keys at every 1/partitions of the sample.
 */
final class TeraSampler {
  static final String SAMPLE_SIZE = "terasort.partitions.sample";
  static final String SAMPLED_SPLITS = "terasort.partitions.sampled-splits";
  static final int DEFAULT_SAMPLE_SIZE = 100_000;
  static final int DEFAULT_SAMPLED_SPLITS = 10;

  private TeraSampler() {}

  /** The cut points for {@code partitions} reducers, hex-encoded, comma-separated. */
  static String cutPoints(List<String> inputs, int partitions, Configuration conf)
      throws IOException {
    TeraInputFormat format = new TeraInputFormat();
    List<InputSplit> splits = format.splits(inputs, conf);
    int sampleSize = conf.getInt(SAMPLE_SIZE, DEFAULT_SAMPLE_SIZE);
    int samples = Math.min(conf.getInt(SAMPLED_SPLITS, DEFAULT_SAMPLED_SPLITS), splits.size());
    List<byte[]> keys = new ArrayList<>();
    if (samples > 0) {
      long perSplit = sampleSize / samples;
      int step = splits.size() / samples;
      for (int i = 0; i < samples; i++) {
        try (RecordReader<byte[], byte[]> r = format.open(splits.get(i * step), conf)) {
          for (long n = 0; n < perSplit && r.next(); n++) {
            keys.add(r.key());
          }
        }
      }
    }
    keys.sort(Arrays::compareUnsigned);
    StringJoiner cuts = new StringJoiner(",");
    if (keys.isEmpty()) {
      // No data: any ascending cut points will do.
      for (int i = 1; i < partitions; i++) {
        cuts.add(TeraRecords.hex(new byte[TeraRecords.KEY_LENGTH]));
      }
      return cuts.toString();
    }
    float step = keys.size() / (float) partitions;
    for (int i = 1; i < partitions; i++) {
      int at = Math.min(keys.size() - 1, Math.round(step * i));
      cuts.add(TeraRecords.hex(keys.get(at)));
    }
    return cuts.toString();
  }
}
