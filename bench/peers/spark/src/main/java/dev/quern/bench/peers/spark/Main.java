package dev.quern.bench.peers.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One Spark job per process, so run.sh can time a whole run (JVM start included) as it times
 * Hadoop and Quern: {@code Main wordcount IN OUT} or {@code Main terasort IN OUT}.
 *
 * <p>Defaults that the command line's {@code -Dspark.*} system properties override: master
 * {@code local[2]} (two cores, like the other systems), Kryo serialization (the usual tuning for
 * shuffle-heavy jobs), and no web UI (port 4040 is contended on a shared machine).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length != 3 || !(args[0].equals("wordcount") || args[0].equals("terasort"))) {
      System.err.println("usage: Main wordcount|terasort IN OUT");
      System.exit(2);
    }
    SparkConf conf = new SparkConf()
        .setAppName("quern-bench-" + args[0])
        .setIfMissing("spark.master", "local[2]")
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .setIfMissing("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      if (args[0].equals("wordcount")) {
        WordCount.run(sc, args[1], args[2]);
      } else {
        TeraSort.run(sc, args[1], args[2]);
      }
    }
  }
}
