package dev.quern.raft.node;

import dev.quern.raft.RaftConfig;

/**
 * Marker for messages that travel between masters over Artery. Bind it to {@link RaftKryoSerializer}:
 * <pre>
 * pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
 * pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
 * </pre>
 * (Java serialization is off in Pekko, so a message without a binding cannot leave the JVM.)
 *
 * <p>One Raft message must fit one Artery frame ({@code pekko.remote.artery.advanced.maximum-frame-size},
 * 256 KiB by default, "including header data"); a larger one is dropped by Artery at every attempt.
 * The core bounds an append's entries by {@link RaftConfig#maxBytesPerMessage()} (and one entry by
 * {@link RaftConfig#maxEntryBytes()} + {@link dev.quern.raft.Entry#OVERHEAD}, which is at most that), and
 * a snapshot chunk by {@link RaftConfig#snapshotChunkBytes()}. What remains of a frame must hold the
 * message's header ({@link RaftWireFormat}: at most 61 bytes for an append, 73 + 9 per member and
 * 14 + its UTF-8 length per member's address for a snapshot chunk: addresses are at most
 * {@link dev.quern.raft.ConfChange#MAX_ADDRESS_BYTES}, so a group of a dozen members fits the reserve
 * below even at that length) and Artery's envelope (a 28-byte header plus the sender's and recipient's actor paths
 * as literals, a few dozen bytes each for {@code pekko://master@host:port/user/raft}). Hence:
 * <pre>
 * maxEntryBytes + Entry.OVERHEAD  <=  maxBytesPerMessage  <=  maximum-frame-size - FRAME_RESERVE
 *                                     snapshotChunkBytes  <=  maximum-frame-size - FRAME_RESERVE
 * </pre>
 * With the defaults (64 KiB entries, 128 KiB appends and chunks of 64 KiB) and the default frame, half of
 * every frame is spare. {@link RaftNodeActor} checks the relation when it starts.
 */
public interface RaftWire {

  /** Bytes of every frame kept for the message header and Artery's envelope; generous on purpose. */
  int FRAME_RESERVE = 8 * 1024;

  /** Where Pekko keeps the frame size. */
  String FRAME_SIZE_PATH = "pekko.remote.artery.advanced.maximum-frame-size";

  /**
   * Refuses a configuration whose largest append or snapshot chunk would not fit one frame of
   * {@code maximumFrameSize} bytes (it would be dropped, and re-sent forever).
   */
  static void checkFitsFrame(RaftConfig config, long maximumFrameSize) {
    long room = maximumFrameSize - FRAME_RESERVE;
    if (config.maxBytesPerMessage() > room) {
      throw new IllegalArgumentException("maxBytesPerMessage " + config.maxBytesPerMessage() + " does not fit "
          + FRAME_SIZE_PATH + " = " + maximumFrameSize + " less " + FRAME_RESERVE + " bytes for headers");
    }
    if (config.snapshotChunkBytes() > room) {
      throw new IllegalArgumentException("snapshotChunkBytes " + config.snapshotChunkBytes() + " does not fit "
          + FRAME_SIZE_PATH + " = " + maximumFrameSize + " less " + FRAME_RESERVE + " bytes for headers");
    }
  }
}
