package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads WAL segments in order and rebuilds the in-memory log and hard state.
 *
 * <p>What a crash can leave: segments are fsynced before the next one is created, so only the last
 * segment can end in a torn write, and a torn write is a suffix: records that were never synced,
 * partly or not at all on disk, with nothing valid after them. So in the last segment, a bad
 * record with no valid record anywhere after it ({@link WalRecords#findValid}) is cut off, on disk
 * too, so that new appends follow valid data. Everything else is refused with the file and offset:
 * a bad record followed by a valid one (a damaged record in the middle: cutting there would drop
 * synced votes and acknowledged entries after it), a bad record in an earlier segment, a record
 * that is intact but does not follow its predecessor, a version we do not know, and entries that
 * contradict each other. A last segment with nothing but a torn header (created during a roll,
 * never synced) is deleted.
 *
 * <p>Limits: a synced suffix that was damaged with nothing valid after it (the last record, or a
 * cut at the end) looks exactly like a torn write and is cut too; and a crash that left a hole in
 * unsynced data with written-back records after it (the kernel writes pages back in any order) is
 * refused as corruption, since nothing in the file tells it from damage to synced data.
 */
final class WalReplay {

  private static final System.Logger LOG = System.getLogger(WalReplay.class.getName());

  /**
   * The replayed log. The segments list no longer holds a deleted torn last segment; each
   * segment's salt and chain values are set, the last one's {@code endChain} where appends go on.
   */
  record Result(MemLog log, HardState hardState, long droppedTailBytes) {}

  private WalReplay() {}

  static Result replay(List<Segment> segments, Fsync fsync) throws IOException {
    MemLog log = new MemLog(0, 0);
    boolean anchored = false;
    HardState hardState = HardState.EMPTY;
    long dropped = 0;
    Segment previous = null;
    for (int s = 0; s < segments.size(); s++) {
      Segment seg = segments.get(s);
      boolean last = s == segments.size() - 1;
      byte[] bytes = Files.readAllBytes(seg.path);
      if (bytes.length < Segment.HEADER_BYTES || allZero(bytes)) {
        if (!last) {
          throw new CorruptLogException(seg.path, 0, "segment header missing (" + bytes.length + " bytes"
              + (bytes.length == 0 ? "" : ", all zero or incomplete") + ") in a segment followed by others");
        }
        // Created by a roll and never synced: it holds nothing, so nothing is lost.
        LOG.log(Level.WARNING, "deleting {0}: torn header ({1} bytes), nothing was written to it", seg.path, bytes.length);
        dropped = bytes.length;
        Files.delete(seg.path);
        Dirs.fsync(seg.path.getParent(), fsync);
        segments.remove(s);
        break;
      }
      seg.readHeader(bytes);
      if (previous != null && previous.seq + 1 == seg.seq && seg.prevChain != previous.endChain) {
        throw new CorruptLogException(seg.path, Segment.PREV_CHAIN_OFFSET, "segment does not continue "
            + previous.path.getFileName() + " (its header carries another chain value): a segment was replaced");
      }
      int offset = Segment.HEADER_BYTES;
      int chain = seg.startChain;
      while (offset < bytes.length) {
        WalRecords.Decoded d;
        try {
          d = WalRecords.decode(bytes, offset, bytes.length, seg.salt, chain);
        } catch (WalRecords.BadRecordException e) {
          if (!last || e.intact) {
            throw new CorruptLogException(seg.path, offset, e.getMessage());
          }
          int valid = WalRecords.findValid(bytes, offset + 1, bytes.length, seg.salt);
          if (valid >= 0) {
            throw new CorruptLogException(seg.path, offset, "damaged record (" + e.getMessage()
                + ") followed by a valid record at offset " + valid
                + ": this is damage, not a torn write, and cutting it would lose what follows");
          }
          dropped = bytes.length - offset;
          LOG.log(Level.WARNING, "dropping {0} bytes of torn tail of {1} at offset {2}: {3}",
              dropped, seg.path, offset, e.getMessage());
          truncate(seg, offset, fsync);
          break;
        }
        WalRecords.WalRecord record = d.record();
        if (record instanceof WalRecords.EntryRecord r) {
          Entry e = r.entry();
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
        chain = d.chain();
      }
      seg.endChain = chain;
      previous = seg;
    }
    return new Result(log, hardState, dropped);
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void truncate(Segment seg, long size, Fsync fsync) throws IOException {
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.WRITE)) {
      ch.truncate(size);
      try {
        fsync.force(ch, seg.path, true);
      } catch (IOException | RuntimeException e) {
        throw new FsyncFailedException(seg.path, e);
      }
    }
  }
}
