package dev.quern.raft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pending ReadIndex requests on a leader. Each is stamped with the commit index when it arrived; it
 * becomes servable once a majority answers a heartbeat that carries its context, which proves that
 * no newer leader had been elected when the read arrived. Acks for a later request also confirm every
 * earlier one, so requests are released in arrival order.
 */
final class ReadOnly {

  private static final class Pending {
    final long index;
    final Set<Long> acks = new HashSet<>();

    Pending(long index) {
      this.index = index;
    }
  }

  private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();

  void add(long index, long context, long self) {
    if (pending.containsKey(context)) {
      return;
    }
    Pending p = new Pending(index);
    p.acks.add(self);
    pending.put(context, p);
  }

  /** Records a heartbeat ack; returns the set of nodes that acked this context, or null if unknown. */
  Set<Long> recvAck(long from, long context) {
    Pending p = pending.get(context);
    if (p == null) {
      return null;
    }
    p.acks.add(from);
    return p.acks;
  }

  /** Removes and returns every request up to and including {@code context}. */
  List<ReadState> advance(long context) {
    List<ReadState> out = new ArrayList<>();
    if (!pending.containsKey(context)) {
      return out;
    }
    var it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Pending> e = it.next();
      out.add(new ReadState(e.getValue().index, e.getKey()));
      it.remove();
      if (e.getKey() == context) {
        break;
      }
    }
    return out;
  }

  /** The newest pending context, to piggyback on heartbeats, or 0 if none. */
  long lastPendingContext() {
    long last = 0;
    for (long c : pending.keySet()) {
      last = c;
    }
    return last;
  }

  void reset() {
    pending.clear();
  }
}
