package dev.quern.bench.peers.spark;

import java.util.Arrays;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * The idiomatic Spark WordCount. Words are split on the delimiters of
 * {@link java.util.StringTokenizer} (space, tab, newline, carriage return, form feed), as Hadoop's
 * and Quern's WordCount split them, so the three outputs can be compared line for line.
 * Output lines are {@code word<TAB>count}, the format of the other two.
 */
final class WordCount {
  private static final Pattern WHITESPACE = Pattern.compile("[ \t\n\r\f]+");

  private WordCount() {}

  static void run(JavaSparkContext sc, String in, String out) {
    sc.textFile(in)
        .flatMap(line -> Arrays.stream(WHITESPACE.split(line)).filter(w -> !w.isEmpty()).iterator())
        .mapToPair(word -> new Tuple2<>(word, 1L))
        .reduceByKey(Long::sum)
        .map(wc -> wc._1() + "\t" + wc._2())
        .saveAsTextFile(out);
  }
}
