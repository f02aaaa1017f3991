package dev.quern.raft.node;

/**
 * Marker for messages that travel between masters over Artery. Bind it to {@link RaftKryoSerializer}:
 * <pre>
 * pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
 * pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
 * </pre>
 * (Java serialization is off in Pekko, so a message without a binding cannot leave the JVM.)
 */
public interface RaftWire {
}
