package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The framing of one write-ahead-log record, its two checksums, and its three kinds.
 *
 * <pre>
 *   int32  length   of what follows the first 12 bytes (version, type, body), big-endian
 *   int32  crc      CRC32C(salt, length, version, type, body, chain): the record's own checksum
 *   int32  chain    CRC32C(previous chain, CRC32C(salt, length, version, type, body)): its place in the sequence
 *   byte   version  (2)
 *   byte   type
 *   body   ENTRY (1):      index:int64 term:int64 entryType:byte data...
 *                          (entryType: 1 NORMAL, 2 CONF_CHANGE, 3 NO_OP; never an enum ordinal)
 *          HARD_STATE (2): term:int64 vote:int64 commit:int64
 *          LOG_BASE (3):   index:int64 term:int64   ("the log restarts after this point")
 * </pre>
 *
 * <p><b>Two checksums, two questions.</b> {@code crc} answers "are these bytes, all of them, a
 * record written into this file in its current life?". It covers every byte but itself (the length
 * too, so a torn or flipped length cannot make us read a plausible record from the wrong bytes; and
 * the chain field), and it is seeded with the segment's salt, a random number in the header that is
 * new each time a segment file is created: a record left over from an earlier life of the file, or
 * copied from another log, fails it even at the right offset. It needs nothing from the records
 * before, so recovery can test any offset after a damaged record for a valid one ({@link
 * #findValid}): that is how damage followed by valid data (corruption, refused) is told from a torn
 * tail (cut). {@code chain} answers "does this record follow the one before it?": it chains a
 * checksum of the record's content to its predecessor's chain value, starting from the segment
 * header's CRC (which covers the previous segment's final chain value, the salt and the sequence
 * number), as etcd's WAL chains its CRCs. It catches what a record-local checksum cannot: whole
 * records cut out of the middle (a lost hard state, say), duplicated or reordered. Since {@code crc}
 * covers the chain field, a record that passes {@code crc} but not the chain is exactly as we
 * wrote it, in the wrong place. Our writes are strictly sequential (a failed write is cut off
 * durably before the next), so no crash can produce that: it is always reported, as is a record
 * that passes {@code crc} but whose version, type or body we cannot read (written on purpose by
 * other code, never a torn write).
 */
final class WalRecords {

  static final byte VERSION = 2;
  static final byte TYPE_ENTRY = 1;
  static final byte TYPE_HARD_STATE = 2;
  static final byte TYPE_LOG_BASE = 3;
  static final byte ENTRY_NORMAL = 1;
  static final byte ENTRY_CONF_CHANGE = 2;
  static final byte ENTRY_NO_OP = 3;
  /** Length, crc, chain. */
  static final int PREFIX_BYTES = 12;
  /** Prefix, version, type. */
  static final int HEADER_BYTES = PREFIX_BYTES + 2;
  static final int ENTRY_BODY_BYTES = 17;
  static final int HARD_STATE_BODY_BYTES = 24;
  static final int LOG_BASE_BODY_BYTES = 16;

  private WalRecords() {}

  /** A decoded record. */
  sealed interface WalRecord permits EntryRecord, HardStateRecord, LogBaseRecord {}

  record EntryRecord(Entry entry) implements WalRecord {}

  record HardStateRecord(HardState hardState) implements WalRecord {}

  /** Written when a snapshot replaced a log that disagreed with it: drop everything before. */
  record LogBaseRecord(long index, long term) implements WalRecord {}

  /** A record, the offset just after it, and the chain value after it. */
  record Decoded(WalRecord record, int end, int chain) {}

  /** The bytes at an offset are not a valid record that follows the one before. */
  static final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;
    /** True when the record's own CRC matched: it was written whole, so this is not a torn write. */
    final boolean intact;

    BadRecordException(String reason, boolean intact) {
      super(reason, null, false, false);
      this.intact = intact;
    }
  }

  static int entrySize(Entry e) {
    return HEADER_BYTES + ENTRY_BODY_BYTES + e.data().length;
  }

  static int hardStateSize() {
    return HEADER_BYTES + HARD_STATE_BODY_BYTES;
  }

  static int logBaseSize() {
    return HEADER_BYTES + LOG_BASE_BODY_BYTES;
  }

  /** Appends an ENTRY record; returns the chain value after it. */
  static int putEntry(ByteBuffer out, Entry e, int salt, int chain) {
    int start = begin(out, TYPE_ENTRY);
    out.putLong(e.index()).putLong(e.term()).put(entryTypeCode(e.type())).put(e.data());
    return finish(out, start, salt, chain);
  }

  /** Appends a HARD_STATE record; returns the chain value after it. */
  static int putHardState(ByteBuffer out, HardState hs, int salt, int chain) {
    int start = begin(out, TYPE_HARD_STATE);
    out.putLong(hs.term()).putLong(hs.vote()).putLong(hs.commit());
    return finish(out, start, salt, chain);
  }

  /** Appends a LOG_BASE record; returns the chain value after it. */
  static int putLogBase(ByteBuffer out, long index, long term, int salt, int chain) {
    int start = begin(out, TYPE_LOG_BASE);
    out.putLong(index).putLong(term);
    return finish(out, start, salt, chain);
  }

  static byte entryTypeCode(EntryType type) {
    return switch (type) {
      case NORMAL -> ENTRY_NORMAL;
      case CONF_CHANGE -> ENTRY_CONF_CHANGE;
      case NO_OP -> ENTRY_NO_OP;
    };
  }

  private static EntryType entryType(byte code) {
    return switch (code) {
      case ENTRY_NORMAL -> EntryType.NORMAL;
      case ENTRY_CONF_CHANGE -> EntryType.CONF_CHANGE;
      case ENTRY_NO_OP -> EntryType.NO_OP;
      default -> throw new IllegalArgumentException("unknown entry type code " + code);
    };
  }

  private static int begin(ByteBuffer out, byte type) {
    int start = out.position();
    out.putInt(0).putInt(0).putInt(0).put(VERSION).put(type);
    return start;
  }

  private static int finish(ByteBuffer out, int start, int salt, int prevChain) {
    int end = out.position();
    byte[] buf = out.array();
    int base = out.arrayOffset();
    out.putInt(start, end - start - PREFIX_BYTES);
    CRC32C c = content(salt, buf, base + start, base + end);
    int chain = chain(prevChain, (int) c.getValue());
    updateInt(c, chain);
    out.putInt(start + 4, (int) c.getValue());
    out.putInt(start + 8, chain);
    return chain;
  }

  /** A CRC32C over the salt, the length and everything after the prefix: the record's content. */
  private static CRC32C content(int salt, byte[] buf, int start, int end) {
    CRC32C c = new CRC32C();
    updateInt(c, salt);
    c.update(buf, start, 4);
    c.update(buf, start + PREFIX_BYTES, end - start - PREFIX_BYTES);
    return c;
  }

  /** The chain value after a record whose content checksum is {@code contentCrc}, following {@code prevChain}. */
  static int chain(int prevChain, int contentCrc) {
    CRC32C c = new CRC32C();
    updateInt(c, prevChain);
    updateInt(c, contentCrc);
    return (int) c.getValue();
  }

  /**
   * Whether the record in {@code [start, end)} passes its own CRC under {@code salt}; if so, returns
   * its content checksum (for the chain) in {@code contentCrc[0]}.
   */
  static boolean ownCrcValid(int salt, byte[] buf, int start, int end, int[] contentCrc) {
    CRC32C c = content(salt, buf, start, end);
    int content = (int) c.getValue();
    c.update(buf, start + 8, 4); // the chain field, as stored
    if ((int) c.getValue() != getInt(buf, start + 4)) {
      return false;
    }
    contentCrc[0] = content;
    return true;
  }

  private static void updateInt(CRC32C c, int v) {
    c.update(v >>> 24);
    c.update(v >>> 16);
    c.update(v >>> 8);
    c.update(v);
  }

  private static int getInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
  }

  /**
   * Decodes the record at {@code offset}, which must follow chain value {@code chain} in a segment
   * with salt {@code salt}; {@code limit} is the end of the file's bytes.
   */
  static Decoded decode(byte[] buf, int offset, int limit, int salt, int chain) throws BadRecordException {
    int remaining = limit - offset;
    if (remaining < HEADER_BYTES) {
      throw new BadRecordException("incomplete record header (" + remaining + " bytes)", false);
    }
    int length = getInt(buf, offset);
    if (length < 2 || length > remaining - PREFIX_BYTES) {
      throw new BadRecordException("record length " + length + " does not fit the "
          + (remaining - PREFIX_BYTES) + " bytes left", false);
    }
    int end = offset + PREFIX_BYTES + length;
    int[] content = new int[1];
    if (!ownCrcValid(salt, buf, offset, end, content)) {
      throw new BadRecordException("CRC mismatch", false);
    }
    byte version = buf[offset + PREFIX_BYTES];
    if (version != VERSION) {
      throw new BadRecordException("unsupported record format version " + version, true);
    }
    int next = chain(chain, content[0]);
    if (next != getInt(buf, offset + 8)) {
      throw new BadRecordException("record is intact but does not follow the record before it (CRC chain "
          + "mismatch): records were removed, duplicated or moved", true);
    }
    byte type = buf[offset + PREFIX_BYTES + 1];
    ByteBuffer in = ByteBuffer.wrap(buf, offset + HEADER_BYTES, length - 2);
    try {
      WalRecord record = switch (type) {
        case TYPE_ENTRY -> {
          long index = in.getLong();
          long term = in.getLong();
          EntryType entryType = entryType(in.get());
          if (index < 1 || term < 0) {
            throw new IllegalArgumentException("entry index " + index + " term " + term);
          }
          byte[] data = new byte[in.remaining()];
          in.get(data);
          yield new EntryRecord(new Entry(term, index, entryType, data));
        }
        case TYPE_HARD_STATE -> {
          expectBody(length, HARD_STATE_BODY_BYTES);
          yield new HardStateRecord(new HardState(in.getLong(), in.getLong(), in.getLong()));
        }
        case TYPE_LOG_BASE -> {
          expectBody(length, LOG_BASE_BODY_BYTES);
          yield new LogBaseRecord(in.getLong(), in.getLong());
        }
        default -> throw new BadRecordException("unknown record type " + type, true);
      };
      return new Decoded(record, end, next);
    } catch (RuntimeException e) {
      // The checksum matched but the body does not parse: written by a buggy or foreign writer.
      throw new BadRecordException("malformed record body: " + e.getMessage(), true);
    }
  }

  private static void expectBody(int length, int bodyBytes) {
    if (length - 2 != bodyBytes) {
      throw new IllegalArgumentException("body of " + (length - 2) + " bytes, expected " + bodyBytes);
    }
  }

  /**
   * The first offset in {@code [from, limit)} where a whole record of this segment's life starts
   * (sane length, our version and a known type, own CRC valid under {@code salt}), or -1. The
   * chain is not checked: after damage its running value is unknown. A random byte sequence
   * passes with probability about 2^-32 per offset, and only after a length that fits and the
   * version and type bytes (about 2^-14 more) have matched; bytes from another log or an earlier
   * life of this file carry another salt.
   */
  static int findValid(byte[] buf, int from, int limit, int salt) {
    int[] content = new int[1];
    for (int q = from; q <= limit - HEADER_BYTES; q++) {
      int length = getInt(buf, q);
      if (length < 2 || length > limit - q - PREFIX_BYTES) {
        continue;
      }
      byte version = buf[q + PREFIX_BYTES];
      byte type = buf[q + PREFIX_BYTES + 1];
      if (version != VERSION || type < TYPE_ENTRY || type > TYPE_LOG_BASE) {
        continue;
      }
      if (ownCrcValid(salt, buf, q, q + PREFIX_BYTES + length, content)) {
        return q;
      }
    }
    return -1;
  }
}
