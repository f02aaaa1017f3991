package dev.quern.raft;

import java.nio.ByteBuffer;

/**
 * A single-server membership change. A new node should join as a learner and become a voter once it
 * has caught up; see {@link RaftConfig#autoPromoteLearners()}. Encoded as {@code [type code][node id,
 * 8 bytes]}; the codes are fixed, never ordinals.
 */
public record ConfChange(Type type, long nodeId) {

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

  public byte[] encode() {
    return ByteBuffer.allocate(9).put((byte) type.code).putLong(nodeId).array();
  }

  public static ConfChange decode(byte[] data) {
    if (data.length != 9) {
      throw new IllegalArgumentException("a conf change is 9 bytes, got " + data.length);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    return new ConfChange(Type.fromCode(b.get()), b.getLong());
  }
}
