package dev.quern.raft.node;

import dev.quern.raft.Membership;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where to send a peer's messages. The address a member was added with ({@link Membership#addresses()}
 * of the configuration the core uses, committed or not) comes first; the static addresses the node
 * was started with ({@link RaftNodeActor.Settings#peers()}) are the fallback, for founders added
 * without one and for the leader a joining node must answer before it holds any configuration. An
 * address learned from a configuration is kept after its member leaves it: the leader keeps sending
 * to a removed node until it learns of its removal, and a truncated change may come back.
 */
final class PeerDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(RaftNodeActor.class);

  private record Resolved(String address, ActorRef<RaftNodeActor.Command> ref) {
  }

  private final ActorRefResolver resolver;
  private final Map<Long, String> staticAddresses;
  private final Map<Long, String> learned = new HashMap<>();
  private final Map<Long, Resolved> resolved = new HashMap<>();
  private Membership seen;

  PeerDirectory(ActorRefResolver resolver, Map<Long, String> staticAddresses) {
    this.resolver = resolver;
    this.staticAddresses = Map.copyOf(staticAddresses);
  }

  /** Takes the addresses of the configuration in force; cheap when it has not changed. */
  void update(Membership membership) {
    if (membership != seen) {
      seen = membership;
      learned.putAll(membership.addresses());
    }
  }

  /** The peer's actor, or null if no address is known for it. */
  ActorRef<RaftNodeActor.Command> ref(long id) {
    String address = learned.getOrDefault(id, staticAddresses.get(id));
    if (address == null) {
      return null;
    }
    Resolved r = resolved.get(id);
    if (r == null || !r.address().equals(address)) {
      r = new Resolved(address, resolveOrNull(address));
      if (r.ref() == null) {
        LOG.warn("raft: cannot resolve the address {} of node {}; its messages are not sent", address, id);
      }
      resolved.put(id, r);
    }
    return r.ref();
  }

  /** The actor at {@code address}, or null if it is not an actor path this system can resolve. */
  ActorRef<RaftNodeActor.Command> resolveOrNull(String address) {
    try {
      return resolver.resolveActorRef(address);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The address messages to {@code id} go to, or null. */
  String address(long id) {
    return learned.getOrDefault(id, staticAddresses.get(id));
  }
}
