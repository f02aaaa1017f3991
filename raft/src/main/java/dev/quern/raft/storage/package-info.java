/**
 * Durable storage for the Raft core: a segmented write-ahead log with CRC32C on every record, the
 * hard state kept in it, and snapshot files. Imports only the JDK; start at {@link
 * dev.quern.raft.storage.RaftLogStore}.
 *
 * <h2>Operations</h2>
 * <pre>
 * append/saveHardState: encode records, write at the end of the active segment (roll first if it is
 *                       full: fsync it, create the next, fsync the directory, copy the hard state in)
 * sync:                 fdatasync the active segment
 * saveSnapshot(s, t):   sync; write snap tmp, fsync, rename, fsync dir;
 *                       if the log has (s, t): drop entries &lt;= s, delete the oldest sealed segments
 *                       whose records are all &lt;= s
 *                       else: roll, write LOG_BASE(s, t), sync, delete all older segments;
 *                       delete the previous snapshot file, fsync dir
 * open:                 delete *.tmp; load the newest snapshot (damage = error), delete older ones;
 *                       replay segments (bad record: in the last segment cut it off, elsewhere error);
 *                       reconcile with the snapshot (same rule as saveSnapshot)
 * </pre>
 *
 * <h2>Crash at each step</h2>
 * <ul>
 *   <li>Mid-write or before sync: the tail of the last segment is torn or missing; open cuts it at
 *       the first bad record. Only unsynced records are lost.</li>
 *   <li>During a roll: the sealed segment was fsynced first; the new one is empty or holds a copy of
 *       the hard state, so losing it loses nothing.</li>
 *   <li>Before the snapshot rename: a *.tmp file, deleted on open; the old snapshot and log stand.</li>
 *   <li>After the rename, before compaction: the log is checked against the new snapshot on open;
 *       covered segments are deleted at the next snapshot. If the log disagrees with the snapshot,
 *       open writes the LOG_BASE itself before any new append can follow stale entries.</li>
 *   <li>During segment or old-snapshot deletion: some remain; open replays the survivors (which may
 *       start mid-log) and keeps only the newest snapshot.</li>
 * </ul>
 */
package dev.quern.raft.storage;
