/**
 * Durable storage for the Raft core: a segmented write-ahead log with two CRC32Cs on every record
 * (its own, salted per segment file, and a chain), the hard state kept in it, and snapshot files.
 * Stores the core's values ({@link dev.quern.raft.Entry}, {@link dev.quern.raft.HardState}, {@link
 * dev.quern.raft.Snapshot}) and imports nothing else of Quern; start at {@link
 * dev.quern.raft.storage.RaftLogStore}.
 *
 * <h2>Operations</h2>
 * <pre>
 * append/saveHardState: encode records, write at the end of the active segment (roll first if it is
 *                       full: fsync it, create the next with a new salt and the chain value carried
 *                       over in its header, fsync the directory, copy the hard state in)
 * sync:                 fdatasync the active segment
 * saveSnapshot(s):      sync; write snap tmp, fsync, rename, fsync dir;
 *                       if the log has (s.index, s.term): drop entries &lt;= s.index, delete the oldest
 *                       sealed segments whose records are all &lt;= s.index
 *                       else: roll, write LOG_BASE(s.index, s.term), sync, delete all older segments;
 *                       delete the previous snapshot file, fsync dir
 * open:                 delete *.tmp; load the newest snapshot (damage = error), delete older ones;
 *                       replay segments (see below); reconcile with the snapshot (same rule as
 *                       saveSnapshot)
 * </pre>
 *
 * <h2>What replay accepts</h2>
 * <ul>
 *   <li>A bad record (torn, flipped, from another log or an earlier life of the file) in the last
 *       segment with no valid record anywhere after it: a torn write. It is cut off, on disk too.</li>
 *   <li>A last segment holding only a torn header (a roll that crashed): it is deleted.</li>
 *   <li>Anything else is refused with a {@link dev.quern.raft.storage.CorruptLogException} naming
 *       the file and offset: a bad record followed by a valid one, a bad record or header in an
 *       earlier segment, a record that is intact but breaks the chain, a segment whose header does
 *       not continue the previous segment's chain, an unknown format version.</li>
 * </ul>
 *
 * <h2>Crash at each step</h2>
 * <ul>
 *   <li>Mid-write or before sync: the tail of the last segment is torn or missing; open cuts it at
 *       the first bad record. Only unsynced records are lost.</li>
 *   <li>During a roll: the sealed segment was fsynced first; the new one is empty, holds a torn
 *       header (deleted on open) or a copy of the hard state, so losing it loses nothing.</li>
 *   <li>Before the snapshot rename: a *.tmp file, deleted on open; the old snapshot and log stand.</li>
 *   <li>After the rename, before compaction: the log is checked against the new snapshot on open;
 *       covered segments are deleted at the next snapshot. If the log disagrees with the snapshot,
 *       open writes the LOG_BASE itself before any new append can follow stale entries.</li>
 *   <li>During segment or old-snapshot deletion: some remain; open replays the survivors (which may
 *       start mid-log) and keeps only the newest snapshot.</li>
 *   <li>A failed force anywhere: {@link dev.quern.raft.storage.FsyncFailedException}, and the store
 *       refuses every later call; its owner must stop.</li>
 * </ul>
 */
package dev.quern.raft.storage;
