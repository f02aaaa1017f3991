package dev.quern.raft.kvdemo;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.quern.raft.node.LatencyHistogram;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's garbage collection pauses as they end, into a histogram (the JVM reports them in whole
 * milliseconds). Concurrent collector cycles (G1's marking) are not pauses and are left out. For the
 * benchmark's breakdown of a latency tail: how many pauses a phase had in each process, how long.
 */
final class GcPauses {

  private final LatencyHistogram pauses = new LatencyHistogram(Breakdown.BOUNDS);

  /** Starts listening; the histogram fills for the life of the JVM. */
  static GcPauses install() {
    GcPauses p = new GcPauses();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter && !gc.getName().contains("Concurrent")) {
        emitter.addNotificationListener((n, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            p.pauses.recordNanos(info.getGcInfo().getDuration() * 1_000_000L);
          }
        }, null, null);
      }
    }
    return p;
  }

  LatencyHistogram histogram() {
    return pauses;
  }
}
