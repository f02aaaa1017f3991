package dev.quern.raft;

import java.util.List;

/**
 * What a node finds on stable storage when it starts: its hard state, its latest snapshot, and the
 * entries after the snapshot (entries at or below the snapshot index are ignored).
 */
public record PersistentState(HardState hardState, Snapshot snapshot, List<Entry> entries) {

  public static final PersistentState EMPTY = new PersistentState(HardState.EMPTY, Snapshot.EMPTY, List.of());
}
