package dev.quern.bench.peers.spark;

import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * TeraSort in Spark: 100-byte records (TeraGen's format) split into a 10-byte key and a 90-byte
 * value, sorted by the key's unsigned bytes with {@code sortByKey} (which samples the keys and
 * range-partitions them), written back as raw 100-byte records in partition order, so the
 * concatenation of {@code part-r-*} is the sorted input.
 */
final class TeraSort {
  static final int RECORD = 100;
  static final int KEY = 10;

  private TeraSort() {}

  static void run(JavaSparkContext sc, String in, String out) {
    sc.binaryRecords(in, RECORD)
        .mapToPair(r -> new Tuple2<>(Arrays.copyOfRange(r, 0, KEY), Arrays.copyOfRange(r, KEY, RECORD)))
        .sortByKey(new UnsignedBytesComparator(), true)
        .saveAsNewAPIHadoopFile(out, byte[].class, byte[].class, RawRecordOutputFormat.class);
  }
}
