package dev.quern.raft.node;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of one Raft message between nodes. Every message starts with {@link #VERSION} and a
 * fixed code for its type; enums travel as fixed codes ({@link EntryType#code()}), never as
 * ordinals, and nothing is found by class name or reflection. Numbers are Kryo variable-length
 * integers (1-9 bytes for a long, 1-5 for an int); booleans are bits of one flags byte.
 *
 * <pre>
 * message     = version:u8 code:u8 from term... (fields in record order, below)
 * entry       = term:varlong index:varlong type:u8 length:varint data   (at most Entry.OVERHEAD + data)
 * membership  = voters:varint id:varlong* learners:varint id:varlong* addresses:varint (id:varlong string)*
 * string      = length:varint UTF-8 bytes
 * </pre>
 *
 * Version 2 added the members' addresses to a snapshot chunk's membership, the proposal id to a
 * forwarded {@code Propose} and the {@code ProposeResponse} message (code 15); version 1 is refused.
 *
 * A reader refuses an unknown version, message code, entry type code or flag bit, a truncated
 * message and trailing bytes, with an {@link IllegalArgumentException} that says which. A new
 * field or message type needs a new version (or a new code that old readers refuse), so a mixed
 * group fails loudly instead of misreading.
 */
public final class RaftWireFormat {

  /** The format version this node writes and the only one it reads. */
  public static final int VERSION = 2;

  // Message codes: fixed forever within a version. Never reuse a code for another meaning.
  static final int APPEND_ENTRIES = 1;
  static final int APPEND_RESPONSE = 2;
  static final int HEARTBEAT = 3;
  static final int HEARTBEAT_RESPONSE = 4;
  static final int REQUEST_VOTE = 5;
  static final int VOTE_RESPONSE = 6;
  static final int INSTALL_SNAPSHOT = 7;
  static final int INSTALL_SNAPSHOT_RESPONSE = 8;
  static final int SNAPSHOT_DONE = 9;
  static final int STALE_TERM = 10;
  static final int TIMEOUT_NOW = 11;
  static final int PROPOSE = 12;
  static final int READ_INDEX_REQUEST = 13;
  static final int READ_INDEX_RESPONSE = 14;
  static final int PROPOSE_RESPONSE = 15;

  private static final int FLAG_A = 1;
  private static final int FLAG_B = 2;

  /**
   * The most bytes a message takes besides its entries' {@link Entry#size()} or its snapshot chunk:
   * an append's header is at most 2 + 6 * 9 + 5 = 61 bytes; a snapshot chunk's at most
   * 2 + 5 * 9 + 5 + 5 + 1 = 58 bytes plus its membership (5 + 5 + 5 + 9 per member, and 9 + 5 +
   * its UTF-8 length per address). A forwarded {@code Propose}'s is at most 2 + 4 * 9 + 5 = 43.
   */
  static int headerBytes(Message m) {
    if (m instanceof Message.InstallSnapshot s) {
      int bytes = 58 + 15 + 9 * (s.membership().voters().size() + s.membership().learners().size());
      for (String address : s.membership().addresses().values()) {
        bytes += 14 + address.getBytes(StandardCharsets.UTF_8).length;
      }
      return bytes;
    }
    return 61;
  }

  private RaftWireFormat() {
  }

  public static byte[] encode(Message m) {
    int hint = 64;
    if (m instanceof Message.AppendEntries a) {
      for (Entry e : a.entries()) {
        hint += e.size();
      }
    } else if (m instanceof Message.InstallSnapshot s) {
      hint = headerBytes(s) + s.chunk().length;
    } else if (m instanceof Message.Propose p) {
      hint += p.command().length;
    }
    Output out = new Output(hint, -1);
    out.writeByte(VERSION);
    if (m instanceof Message.AppendEntries a) {
      header(out, APPEND_ENTRIES, m);
      out.writeVarLong(a.prevIndex(), true);
      out.writeVarLong(a.prevTerm(), true);
      out.writeVarLong(a.commit(), true);
      out.writeVarInt(a.entries().size(), true);
      for (Entry e : a.entries()) {
        out.writeVarLong(e.term(), true);
        out.writeVarLong(e.index(), true);
        out.writeByte(e.type().code());
        out.writeVarInt(e.data().length, true);
        out.writeBytes(e.data());
      }
    } else if (m instanceof Message.AppendResponse r) {
      header(out, APPEND_RESPONSE, m);
      out.writeVarLong(r.index(), true);
      out.writeByte(r.reject() ? FLAG_A : 0);
      out.writeVarLong(r.rejectHint(), true);
      out.writeVarLong(r.hintTerm(), true);
    } else if (m instanceof Message.Heartbeat h) {
      header(out, HEARTBEAT, m);
      out.writeVarLong(h.commit(), true);
      out.writeVarLong(h.context(), true);
    } else if (m instanceof Message.HeartbeatResponse h) {
      header(out, HEARTBEAT_RESPONSE, m);
      out.writeVarLong(h.context(), true);
    } else if (m instanceof Message.RequestVote v) {
      header(out, REQUEST_VOTE, m);
      out.writeVarLong(v.lastIndex(), true);
      out.writeVarLong(v.lastTerm(), true);
      out.writeByte((v.preVote() ? FLAG_A : 0) | (v.transfer() ? FLAG_B : 0));
    } else if (m instanceof Message.VoteResponse v) {
      header(out, VOTE_RESPONSE, m);
      out.writeByte((v.preVote() ? FLAG_A : 0) | (v.reject() ? FLAG_B : 0));
    } else if (m instanceof Message.InstallSnapshot s) {
      header(out, INSTALL_SNAPSHOT, m);
      out.writeVarLong(s.index(), true);
      out.writeVarLong(s.snapshotTerm(), true);
      writeMembership(out, s.membership());
      out.writeVarInt(s.offset(), true);
      out.writeVarInt(s.chunk().length, true);
      out.writeBytes(s.chunk());
      out.writeByte(s.done() ? FLAG_A : 0);
    } else if (m instanceof Message.InstallSnapshotResponse s) {
      header(out, INSTALL_SNAPSHOT_RESPONSE, m);
      out.writeVarLong(s.index(), true);
      out.writeVarInt(s.nextOffset(), true);
    } else if (m instanceof Message.SnapshotDone d) {
      header(out, SNAPSHOT_DONE, m);
      out.writeVarLong(d.index(), true);
    } else if (m instanceof Message.StaleTerm) {
      header(out, STALE_TERM, m);
    } else if (m instanceof Message.TimeoutNow) {
      header(out, TIMEOUT_NOW, m);
    } else if (m instanceof Message.Propose p) {
      header(out, PROPOSE, m);
      out.writeVarLong(p.id(), true);
      out.writeVarInt(p.command().length, true);
      out.writeBytes(p.command());
    } else if (m instanceof Message.ReadIndexRequest r) {
      header(out, READ_INDEX_REQUEST, m);
      out.writeVarLong(r.context(), true);
    } else if (m instanceof Message.ReadIndexResponse r) {
      header(out, READ_INDEX_RESPONSE, m);
      out.writeVarLong(r.context(), true);
      out.writeVarLong(r.index(), true);
    } else if (m instanceof Message.ProposeResponse r) {
      header(out, PROPOSE_RESPONSE, m);
      out.writeVarLong(r.id(), true);
      out.writeVarLong(r.index(), true);
    } else {
      throw new IllegalArgumentException("raft wire: no code for " + m.getClass().getName());
    }
    return out.toBytes();
  }

  private static void header(Output out, int code, Message m) {
    out.writeByte(code);
    out.writeVarLong(m.from(), true);
    out.writeVarLong(m.to(), true);
    out.writeVarLong(m.term(), true);
  }

  private static void writeMembership(Output out, Membership membership) {
    writeIds(out, membership.voters());
    writeIds(out, membership.learners());
    out.writeVarInt(membership.addresses().size(), true);
    membership.addresses().forEach((id, address) -> {
      byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
      out.writeVarLong(id, true);
      out.writeVarInt(bytes.length, true);
      out.writeBytes(bytes);
    });
  }

  private static Membership readMembership(Input in) {
    List<Long> voters = readIds(in);
    List<Long> learners = readIds(in);
    int n = count(in, 2);
    Map<Long, String> addresses = new HashMap<>();
    for (int i = 0; i < n; i++) {
      long id = in.readVarLong(true);
      addresses.put(id, new String(in.readBytes(count(in, 1)), StandardCharsets.UTF_8));
    }
    if (addresses.size() != n) {
      throw new IllegalArgumentException("raft wire: a membership names a node's address twice");
    }
    return new Membership(voters, learners, addresses); // refuses an address of a non-member
  }

  private static void writeIds(Output out, List<Long> ids) {
    out.writeVarInt(ids.size(), true);
    for (long id : ids) {
      out.writeVarLong(id, true);
    }
  }

  public static Message decode(byte[] bytes) {
    if (bytes.length < 2) {
      throw new IllegalArgumentException("raft wire: a message needs at least 2 bytes, got " + bytes.length);
    }
    int version = bytes[0] & 0xff;
    if (version != VERSION) {
      throw new IllegalArgumentException("raft wire: unknown format version " + version
          + " (this node reads version " + VERSION + " only)");
    }
    Input in = new Input(bytes, 1, bytes.length - 1);
    int code = in.readByte() & 0xff;
    Message m;
    try {
      long from = in.readVarLong(true);
      long to = in.readVarLong(true);
      long term = in.readVarLong(true);
      m = switch (code) {
        case APPEND_ENTRIES -> {
          long prevIndex = in.readVarLong(true);
          long prevTerm = in.readVarLong(true);
          long commit = in.readVarLong(true);
          int n = count(in, 4);
          List<Entry> entries = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            long t = in.readVarLong(true);
            long index = in.readVarLong(true);
            EntryType type = EntryType.fromCode(in.readByte() & 0xff);
            entries.add(new Entry(t, index, type, in.readBytes(count(in, 1))));
          }
          yield new Message.AppendEntries(from, to, term, prevIndex, prevTerm, entries, commit);
        }
        case APPEND_RESPONSE -> {
          long index = in.readVarLong(true);
          int flags = flags(in, FLAG_A);
          yield new Message.AppendResponse(from, to, term, index, (flags & FLAG_A) != 0,
              in.readVarLong(true), in.readVarLong(true));
        }
        case HEARTBEAT -> new Message.Heartbeat(from, to, term, in.readVarLong(true), in.readVarLong(true));
        case HEARTBEAT_RESPONSE -> new Message.HeartbeatResponse(from, to, term, in.readVarLong(true));
        case REQUEST_VOTE -> {
          long lastIndex = in.readVarLong(true);
          long lastTerm = in.readVarLong(true);
          int flags = flags(in, FLAG_A | FLAG_B);
          yield new Message.RequestVote(from, to, term, lastIndex, lastTerm, (flags & FLAG_A) != 0, (flags & FLAG_B) != 0);
        }
        case VOTE_RESPONSE -> {
          int flags = flags(in, FLAG_A | FLAG_B);
          yield new Message.VoteResponse(from, to, term, (flags & FLAG_A) != 0, (flags & FLAG_B) != 0);
        }
        case INSTALL_SNAPSHOT -> {
          long index = in.readVarLong(true);
          long snapshotTerm = in.readVarLong(true);
          Membership membership = readMembership(in);
          int offset = in.readVarInt(true);
          byte[] chunk = in.readBytes(count(in, 1));
          boolean done = (flags(in, FLAG_A) & FLAG_A) != 0;
          yield new Message.InstallSnapshot(from, to, term, index, snapshotTerm, membership, offset, chunk, done);
        }
        case INSTALL_SNAPSHOT_RESPONSE -> new Message.InstallSnapshotResponse(from, to, term,
            in.readVarLong(true), in.readVarInt(true));
        case SNAPSHOT_DONE -> new Message.SnapshotDone(from, to, term, in.readVarLong(true));
        case STALE_TERM -> new Message.StaleTerm(from, to, term);
        case TIMEOUT_NOW -> new Message.TimeoutNow(from, to, term);
        case PROPOSE -> new Message.Propose(from, to, term, in.readVarLong(true), in.readBytes(count(in, 1)));
        case READ_INDEX_REQUEST -> new Message.ReadIndexRequest(from, to, term, in.readVarLong(true));
        case READ_INDEX_RESPONSE -> new Message.ReadIndexResponse(from, to, term, in.readVarLong(true),
            in.readVarLong(true));
        case PROPOSE_RESPONSE -> new Message.ProposeResponse(from, to, term, in.readVarLong(true),
            in.readVarLong(true));
        default -> throw new IllegalArgumentException("raft wire: unknown message code " + code
            + " in version " + VERSION);
      };
    } catch (KryoException e) {
      throw new IllegalArgumentException("raft wire: truncated message with code " + code + " ("
          + bytes.length + " bytes)", e);
    }
    if (in.position() != in.limit()) {
      throw new IllegalArgumentException("raft wire: " + (in.limit() - in.position())
          + " unexpected bytes after message with code " + code);
    }
    return m;
  }

  /** A count or length, refused if the rest of the message cannot hold that many items of {@code minBytes}. */
  private static int count(Input in, int minBytes) {
    int n = in.readVarInt(true);
    if (n < 0 || (long) n * minBytes > in.limit() - in.position()) {
      throw new IllegalArgumentException("raft wire: count " + n + " exceeds the message's remaining "
          + (in.limit() - in.position()) + " bytes");
    }
    return n;
  }

  private static int flags(Input in, int known) {
    int flags = in.readByte() & 0xff;
    if ((flags & ~known) != 0) {
      throw new IllegalArgumentException("raft wire: unknown flag bits " + Integer.toBinaryString(flags & ~known));
    }
    return flags;
  }

  private static List<Long> readIds(Input in) {
    int n = count(in, 1);
    List<Long> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(in.readVarLong(true));
    }
    return ids;
  }
}
