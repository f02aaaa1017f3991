package dev.quern.raft.kvdemo;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bytes this JVM's live threads have allocated so far, summed by thread group (the name without its
 * numbers: {@code master-pekko.actor.default-dispatcher-5} and {@code -7} are one group). A phase's
 * difference, divided by its requests, says who feeds the young collections, whatever the load of
 * the machine. A thread that calls {@link #ending()} as it ends (the endpoint's per-connection
 * threads do) keeps its bytes in its group's total.
 */
final class ThreadAllocation {

  /** Bytes of threads that ended, by group. */
  private static final Map<String, Long> ENDED = new TreeMap<>();

  private ThreadAllocation() {
  }

  /** Called by a thread on its way out: its allocation stays counted. */
  static void ending() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes = threads.getCurrentThreadAllocatedBytes();
    synchronized (ENDED) {
      ENDED.merge(group(Thread.currentThread().getName()), bytes, Long::sum);
    }
  }

  static Map<String, Long> byGroup() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Map<String, Long> groups;
    synchronized (ENDED) {
      groups = new TreeMap<>(ENDED);
    }
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long bytes = threads.getThreadAllocatedBytes(info.getThreadId());
      if (bytes > 0) {
        groups.merge(group(info.getThreadName()), bytes, Long::sum);
      }
    }
    return groups;
  }

  /** {@code a=1,b=2} (names hold no spaces, commas or '=' once their numbers are gone). */
  static String encode(Map<String, Long> groups) {
    StringBuilder sb = new StringBuilder();
    groups.forEach((g, b) -> sb.append(sb.isEmpty() ? "" : ",").append(g).append(':').append(b));
    return sb.toString();
  }

  static Map<String, Long> decode(String token) {
    Map<String, Long> groups = new TreeMap<>();
    if (!token.isEmpty()) {
      for (String kv : token.split(",")) {
        int colon = kv.lastIndexOf(':');
        groups.put(kv.substring(0, colon), Long.parseLong(kv.substring(colon + 1)));
      }
    }
    return groups;
  }

  static String group(String threadName) {
    return threadName.replaceAll("[0-9]+", "#").replaceAll("[\\s,=:]", "_");
  }
}
