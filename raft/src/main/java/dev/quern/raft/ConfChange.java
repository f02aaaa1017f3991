package dev.quern.raft;

import java.nio.ByteBuffer;

/**
 * A single-server membership change. A new node should join as a learner and become a voter once it
 * has caught up; see {@link RaftConfig#autoPromoteLearners()}.
 */
public record ConfChange(Type type, long nodeId) {

  public enum Type { ADD_VOTER, ADD_LEARNER, REMOVE_NODE }

  public byte[] encode() {
    return ByteBuffer.allocate(9).put((byte) type.ordinal()).putLong(nodeId).array();
  }

  public static ConfChange decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    return new ConfChange(Type.values()[b.get()], b.getLong());
  }
}
