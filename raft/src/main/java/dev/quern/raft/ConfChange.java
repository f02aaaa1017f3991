package dev.quern.raft;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A single-server membership change. A new node should join as a learner and become a voter once it
 * has caught up; see {@link RaftConfig#autoPromoteLearners()}. An added member may carry its
 * {@code address}: an opaque string for the driver (the Pekko driver uses the actor path
 * {@code pekko://sys@host:port/user/raft}), kept in {@link Membership} so that every node can reach
 * a member added later without a restart; empty means none (the driver falls back to its static
 * addresses, and a promotion keeps the address the learner was added with).
 *
 * <p>Encoded as {@code [version 2][type code][node id, 8 bytes][address length, 2 bytes][address, UTF-8]};
 * the codes are fixed, never ordinals. The 9-byte layout without a version or address
 * ({@code [type code][node id]}, the only one before addresses) is still read, as version 1, so
 * that logs written before addresses existed stay readable; any other version is refused.
 */
public record ConfChange(Type type, long nodeId, String address) {

  /** The layout this code writes. */
  public static final int VERSION = 2;
  /** The longest address, in UTF-8 bytes; a snapshot chunk carries every member's (see RaftWire). */
  public static final int MAX_ADDRESS_BYTES = 512;
  private static final int LEGACY_BYTES = 9;

  public enum Type {
    ADD_VOTER(0), ADD_LEARNER(1), REMOVE_NODE(2),
    /** A voter becomes a learner (it keeps receiving the log). */
    DEMOTE_VOTER(3);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Type fromCode(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown conf change type code " + code);
    }
  }

  public ConfChange {
    if (address == null) {
      address = "";
    }
    if (!address.isEmpty() && type != Type.ADD_VOTER && type != Type.ADD_LEARNER) {
      throw new IllegalArgumentException("only an added member carries an address, not " + type);
    }
    int bytes = address.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ADDRESS_BYTES) {
      throw new IllegalArgumentException("address of node " + nodeId + " is " + bytes
          + " bytes in UTF-8, more than " + MAX_ADDRESS_BYTES);
    }
  }

  /** A change without an address. */
  public ConfChange(Type type, long nodeId) {
    this(type, nodeId, "");
  }

  public byte[] encode() {
    byte[] addr = address.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(12 + addr.length).put((byte) VERSION).put((byte) type.code).putLong(nodeId)
        .putShort((short) addr.length).put(addr).array();
  }

  public static ConfChange decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length == LEGACY_BYTES) {
      return new ConfChange(Type.fromCode(b.get()), b.getLong());
    }
    if (data.length < 12) {
      throw new IllegalArgumentException("a conf change is 9 bytes (version 1) or at least 12, got " + data.length);
    }
    int version = b.get() & 0xff;
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown conf change format version " + version
          + " (this node reads versions 1 and " + VERSION + ")");
    }
    Type type = Type.fromCode(b.get() & 0xff);
    long nodeId = b.getLong();
    int length = b.getShort() & 0xffff;
    if (length != b.remaining()) {
      throw new IllegalArgumentException("conf change address length " + length + " does not match the "
          + b.remaining() + " bytes left");
    }
    byte[] addr = new byte[length];
    b.get(addr);
    return new ConfChange(type, nodeId, new String(addr, StandardCharsets.UTF_8));
  }
}
