package dev.quern.raft.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads WAL segments in order and rebuilds the in-memory log and hard state.
 *
 * <p>A bad record in the last segment is a torn or half-written tail: everything from it on was
 * never synced (segments are fsynced before the next one is created), so it is cut off, on disk too,
 * so that new appends follow valid data. A bad record anywhere else, or a record that is intact but
 * makes no sense, cannot come from a crash and is reported with its file and offset.
 */
final class WalReplay {

  private static final System.Logger LOG = System.getLogger(WalReplay.class.getName());

  record Result(MemLog log, HardState hardState, long droppedTailBytes) {}

  private WalReplay() {}

  static Result replay(List<Segment> segments) throws IOException {
    MemLog log = new MemLog(0, 0);
    boolean anchored = false;
    HardState hardState = HardState.EMPTY;
    long dropped = 0;
    for (int s = 0; s < segments.size(); s++) {
      Segment seg = segments.get(s);
      boolean last = s == segments.size() - 1;
      byte[] bytes = Files.readAllBytes(seg.path);
      int offset = 0;
      while (offset < bytes.length) {
        WalRecords.Decoded d;
        try {
          d = WalRecords.decode(bytes, offset, bytes.length);
        } catch (WalRecords.BadRecordException e) {
          if (!last || e.intact) {
            throw new CorruptLogException(seg.path, offset, e.getMessage());
          }
          dropped = bytes.length - offset;
          LOG.log(Level.WARNING, "dropping {0} bytes of torn tail of {1} at offset {2}: {3}",
              dropped, seg.path, offset, e.getMessage());
          truncate(seg, offset);
          break;
        }
        WalRecords.WalRecord record = d.record();
        if (record instanceof WalRecords.EntryRecord r) {
          StoredEntry e = r.entry();
          boolean provisional = log.baseTerm() == MemLog.UNKNOWN_TERM;
          if (!anchored || (provisional && e.index() <= log.baseIndex())) {
            // Older segments may have been deleted by compaction, so start where this entry
            // does. A later segment may rewrite indexes below that start (conflict
            // truncation after the deleted part); those overwrite everything from there.
            // The snapshot is checked against the resulting base afterwards.
            log.reset(e.index() - 1, MemLog.UNKNOWN_TERM);
            anchored = true;
          }
          String problem = log.checkAppend(List.of(e));
          if (problem != null) {
            throw new CorruptLogException(seg.path, offset, "inconsistent entry: " + problem);
          }
          log.append(List.of(e));
          seg.mention(e.index());
        } else if (record instanceof WalRecords.HardStateRecord r) {
          hardState = r.hardState();
        } else if (record instanceof WalRecords.LogBaseRecord r) {
          log.reset(r.index(), r.term());
          anchored = true;
          seg.mention(r.index());
        }
        offset = d.end();
      }
    }
    return new Result(log, hardState, dropped);
  }

  private static void truncate(Segment seg, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.force(true);
    }
  }
}
