package dev.quern.raft.node;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * The Pekko serializer of {@link RaftWire} messages ({@link RaftNodeActor.Inbound}): the bytes are
 * the Raft message in {@link RaftWireFormat} (a version byte, a fixed code per message type, fixed
 * codes for enum values), written with Kryo's variable-length number buffers. Nothing is looked up
 * by class name, so a peer cannot make us instantiate anything else; bytes of an unknown version or
 * code are refused with an {@link IllegalArgumentException} (Artery logs it and drops the message).
 */
public final class RaftKryoSerializer extends JSerializer {

  /** Pekko serializer id; must be unique among the serializers of the actor system. */
  public static final int ID = 731_001;

  public RaftKryoSerializer(ExtendedActorSystem system) {
    // The system is not needed while no ActorRef travels inside a Raft message.
  }

  @Override
  public int identifier() {
    return ID;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof RaftNodeActor.Inbound in) {
      return RaftWireFormat.encode(in.message());
    }
    throw new IllegalArgumentException("RaftKryoSerializer writes RaftNodeActor.Inbound only, not "
        + (o == null ? "null" : o.getClass().getName()));
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    return new RaftNodeActor.Inbound(RaftWireFormat.decode(bytes));
  }
}
