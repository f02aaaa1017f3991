package dev.quern.raft.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The framing of one write-ahead-log record, and its three kinds.
 *
 * <pre>
 *   int32  length of body (big-endian)
 *   int32  CRC32C over the length field, version, type and body
 *   byte   format version (1)
 *   byte   record type
 *   body   ENTRY:      index:int64 term:int64 data...
 *          HARD_STATE: term:int64 commit:int64 votedForLength:int32 (-1 = none) votedFor:UTF-8
 *          LOG_BASE:   index:int64 term:int64   ("the log restarts after this point")
 * </pre>
 *
 * <p>The CRC covers the length so that a torn or flipped length cannot make us read a plausible
 * record from the wrong bytes. A record whose CRC is valid but whose version or type we do not know
 * was written on purpose by other code, so it is reported as a format error, never as a torn tail.
 */
final class WalRecords {

  static final byte VERSION = 1;
  static final byte TYPE_ENTRY = 1;
  static final byte TYPE_HARD_STATE = 2;
  static final byte TYPE_LOG_BASE = 3;
  static final int HEADER_BYTES = 10;

  private WalRecords() {}

  /** A decoded record. */
  sealed interface WalRecord permits EntryRecord, HardStateRecord, LogBaseRecord {}

  record EntryRecord(StoredEntry entry) implements WalRecord {}

  record HardStateRecord(HardState hardState) implements WalRecord {}

  /** Written when a snapshot replaced a log that disagreed with it: drop everything before. */
  record LogBaseRecord(long index, long term) implements WalRecord {}

  /** A record and the offset just after it. */
  record Decoded(WalRecord record, int end) {}

  /** The bytes at an offset are not a whole valid record: a torn write or damage. */
  static final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;
    /** True when the checksum matched, so the record is intact but not ours to read. */
    final boolean intact;

    BadRecordException(String reason, boolean intact) {
      super(reason, null, false, false);
      this.intact = intact;
    }
  }

  static int entrySize(StoredEntry e) {
    return HEADER_BYTES + 16 + e.data().length;
  }

  static int hardStateSize(HardState hs) {
    return HEADER_BYTES + 20 + (hs.votedFor() == null ? 0 : hs.votedFor().getBytes(StandardCharsets.UTF_8).length);
  }

  static int logBaseSize() {
    return HEADER_BYTES + 16;
  }

  static void putEntry(ByteBuffer out, StoredEntry e) {
    int start = begin(out, TYPE_ENTRY);
    out.putLong(e.index()).putLong(e.term()).put(e.data());
    finish(out, start);
  }

  static void putHardState(ByteBuffer out, HardState hs) {
    int start = begin(out, TYPE_HARD_STATE);
    out.putLong(hs.term()).putLong(hs.commit());
    if (hs.votedFor() == null) {
      out.putInt(-1);
    } else {
      byte[] v = hs.votedFor().getBytes(StandardCharsets.UTF_8);
      out.putInt(v.length).put(v);
    }
    finish(out, start);
  }

  static void putLogBase(ByteBuffer out, long index, long term) {
    int start = begin(out, TYPE_LOG_BASE);
    out.putLong(index).putLong(term);
    finish(out, start);
  }

  private static int begin(ByteBuffer out, byte type) {
    int start = out.position();
    out.putInt(0).putInt(0).put(VERSION).put(type);
    return start;
  }

  private static void finish(ByteBuffer out, int start) {
    int end = out.position();
    out.putInt(start, end - start - HEADER_BYTES);
    out.putInt(start + 4, crc(out.array(), out.arrayOffset() + start, end - start));
  }

  /** CRC32C of a framed record, skipping its own CRC field. */
  private static int crc(byte[] buf, int start, int recordLength) {
    CRC32C crc = new CRC32C();
    crc.update(buf, start, 4);
    crc.update(buf, start + 8, recordLength - 8);
    return (int) crc.getValue();
  }

  /** Decodes the record at {@code offset}; {@code limit} is the end of valid file bytes. */
  static Decoded decode(byte[] buf, int offset, int limit) throws BadRecordException {
    int remaining = limit - offset;
    if (remaining < HEADER_BYTES) {
      throw new BadRecordException("incomplete record header (" + remaining + " bytes)", false);
    }
    ByteBuffer in = ByteBuffer.wrap(buf, offset, remaining);
    int length = in.getInt();
    int storedCrc = in.getInt();
    if (length < 0 || length > remaining - HEADER_BYTES) {
      throw new BadRecordException("record length " + length + " exceeds the " + (remaining - HEADER_BYTES) + " bytes left", false);
    }
    int recordLength = HEADER_BYTES + length;
    if (crc(buf, offset, recordLength) != storedCrc) {
      throw new BadRecordException("CRC mismatch", false);
    }
    byte version = in.get();
    byte type = in.get();
    if (version != VERSION) {
      throw new BadRecordException("unsupported record format version " + version, true);
    }
    try {
      WalRecord record = switch (type) {
        case TYPE_ENTRY -> {
          long index = in.getLong();
          long term = in.getLong();
          byte[] data = new byte[length - 16];
          in.get(data);
          yield new EntryRecord(new StoredEntry(index, term, data));
        }
        case TYPE_HARD_STATE -> {
          long term = in.getLong();
          long commit = in.getLong();
          int votedLength = in.getInt();
          String votedFor = null;
          if (votedLength >= 0) {
            byte[] v = new byte[votedLength];
            in.get(v);
            votedFor = new String(v, StandardCharsets.UTF_8);
          }
          yield new HardStateRecord(new HardState(term, votedFor, commit));
        }
        case TYPE_LOG_BASE -> new LogBaseRecord(in.getLong(), in.getLong());
        default -> throw new BadRecordException("unknown record type " + type, true);
      };
      return new Decoded(record, offset + recordLength);
    } catch (RuntimeException e) {
      // Checksum matched but the body does not parse: written by a buggy or foreign writer.
      throw new BadRecordException("malformed record body: " + e.getMessage(), true);
    }
  }
}
