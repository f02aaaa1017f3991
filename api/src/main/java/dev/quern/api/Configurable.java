package dev.quern.api;

/**
 * Implemented by user classes (partitioners, comparators, formats) that want the job's
 * configuration. The engine calls {@link #configure} right after the no-arg constructor.
 *
 * <pre>{@code
 * public class RangePartitioner implements Partitioner<String>, Configurable {
 *   private String[] cuts;
 *   public void configure(Configuration conf) { cuts = conf.get("range.cuts", "").split(","); }
 *   public int partition(String key, int n) { ... }
 * }
 * }</pre>
 */
public interface Configurable {
  void configure(Configuration conf);
}
