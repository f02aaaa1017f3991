package dev.quern.master.http.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.Map;

/** JVM memory and threads, from the platform MXBeans. */
public final class JvmMetrics implements MetricsCollector {

  @Override
  public void collect(PrometheusWriter out) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
    out.family("jvm_memory_used_bytes", "gauge", "Used JVM memory by area.");
    out.sample("jvm_memory_used_bytes", Map.of("area", "heap"), heap.getUsed());
    out.sample("jvm_memory_used_bytes", Map.of("area", "nonheap"), nonHeap.getUsed());
    out.family("jvm_memory_committed_bytes", "gauge", "Committed JVM memory by area.");
    out.sample("jvm_memory_committed_bytes", Map.of("area", "heap"), heap.getCommitted());
    out.sample("jvm_memory_committed_bytes", Map.of("area", "nonheap"), nonHeap.getCommitted());
    out.gauge("jvm_memory_max_bytes", "Maximum heap size (-1 when undefined).", heap.getMax());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    out.gauge("jvm_threads_live", "Live JVM threads.", threads.getThreadCount());
    out.gauge("jvm_threads_daemon", "Live daemon JVM threads.", threads.getDaemonThreadCount());
    out.gauge("jvm_threads_peak", "Peak live JVM threads.", threads.getPeakThreadCount());
  }
}
