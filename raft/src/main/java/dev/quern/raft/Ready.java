package dev.quern.raft;

import java.util.List;

/**
 * A batch of work the core hands to its driver. The driver must, in this order:
 * <ol>
 *   <li>send {@code messagesBeforePersist} (the leader's appends: they may leave before, or while,
 *       the leader writes the same entries to its own disk — Raft thesis 10.2.1);</li>
 *   <li>persist {@code snapshot} (if not null: it replaces every persisted entry), then append
 *       {@code entries} (dropping persisted entries at or after the first one's index), then
 *       {@code hardState} (if not null) — and make all of it durable (fsync) when {@code mustSync};</li>
 *   <li>send {@code messages} (only now: a vote or an acknowledgement must never precede the write it
 *       promises);</li>
 *   <li>install {@code snapshot} into the state machine, then apply {@code committedEntries} in order;
 *       serve each {@code readStates} entry once the state machine has applied its index;</li>
 *   <li>call {@link RaftCore#advance(Ready)} before stepping or ticking the core again: this is what
 *       tells a leader that its own entries are durable, so only then do they count toward commit.</li>
 * </ol>
 *
 * @param softState             the current leader and role (compare with the previous one to notice changes)
 * @param hardState             term, vote and commit to persist, or null if unchanged
 * @param entries               entries to append to stable storage
 * @param snapshot              a snapshot received from the leader to persist and install, or null
 * @param committedEntries      entries to apply to the state machine
 * @param messagesBeforePersist the leader's AppendEntries, which need not wait for this Ready's writes
 *                              (empty when the Ready changes the term or vote: then everything waits)
 * @param messages              messages to send after persisting
 * @param readStates            linearizable reads that may be served once applied up to their index
 * @param mustSync              whether the writes must be durable (fsync) before {@code messages} go out
 *                              and before {@code advance}: true for new entries, a snapshot, or a new term
 *                              or vote. A commit index alone need not be synced: if it is lost in a
 *                              crash, the node learns it again.
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries, Snapshot snapshot,
          List<Entry> committedEntries, List<Message> messagesBeforePersist, List<Message> messages,
          List<ReadState> readStates, boolean mustSync) {
}
