package dev.quern.worker.cluster;

import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.MasterHello;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.Refused;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The Pekko serializer of {@link ClusterWire}: a one-letter manifest per message type, then its
 * fields in {@link DataOutputStream} form, actor references as their serialization strings. Only
 * these five types are ever built from bytes, so a peer cannot make us instantiate anything else;
 * unknown manifests and oversized lists are refused (Artery logs and drops the message).
 */
public final class ClusterWireSerializer extends SerializerWithStringManifest {

  /** Pekko serializer id; unique among the serializers of the actor system. */
  public static final int ID = 731_101;

  private static final int MAX_RUNNING = 100_000;

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public ClusterWireSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return ID;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Heartbeat) {
      return "H";
    } else if (o instanceof MasterHello) {
      return "M";
    } else if (o instanceof Accepted) {
      return "A";
    } else if (o instanceof NotLeader) {
      return "N";
    } else if (o instanceof Refused) {
      return "R";
    }
    throw new IllegalArgumentException("not a cluster message: " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (o instanceof Heartbeat h) {
        out.writeUTF(h.workerId());
        out.writeUTF(h.address());
        out.writeInt(h.slots());
        out.writeInt(h.freeSlots());
        out.writeInt(h.running().size());
        for (String r : h.running()) {
          out.writeUTF(r);
        }
        out.writeLong(h.seenTerm());
        out.writeBoolean(h.registering());
        out.writeUTF(ref(h.replyTo()));
      } else if (o instanceof MasterHello h) {
        out.writeUTF(h.masterId());
        out.writeUTF(h.httpAddress());
      } else if (o instanceof Accepted a) {
        out.writeLong(a.term());
        out.writeUTF(a.leaderId());
        out.writeUTF(ref(a.leader()));
      } else if (o instanceof NotLeader n) {
        out.writeUTF(n.masterId());
        out.writeLong(n.term());
        out.writeUTF(n.leaderId());
        out.writeUTF(n.leaderAddress());
      } else if (o instanceof Refused r) {
        out.writeUTF(r.workerId());
        out.writeLong(r.term());
        out.writeUTF(r.leaderId());
      } else {
        throw new IllegalArgumentException("not a cluster message: " + o.getClass());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return switch (manifest) {
        case "H" -> {
          String id = in.readUTF();
          String address = in.readUTF();
          int slots = in.readInt();
          int free = in.readInt();
          int n = in.readInt();
          if (n < 0 || n > MAX_RUNNING) {
            throw new NotSerializableException("heartbeat with " + n + " running attempts");
          }
          List<String> running = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            running.add(in.readUTF());
          }
          yield new Heartbeat(id, address, slots, free, running, in.readLong(), in.readBoolean(),
              resolve(in.readUTF()));
        }
        case "M" -> new MasterHello(in.readUTF(), in.readUTF());
        case "A" -> new Accepted(in.readLong(), in.readUTF(), resolve(in.readUTF()));
        case "N" -> new NotLeader(in.readUTF(), in.readLong(), in.readUTF(), in.readUTF());
        case "R" -> new Refused(in.readUTF(), in.readLong(), in.readUTF());
        default -> throw new NotSerializableException("unknown cluster message manifest " + manifest);
      };
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException e) {
      throw new NotSerializableException("damaged cluster message " + manifest + ": " + e);
    }
  }

  private String ref(ActorRef<?> ref) {
    return resolver().toSerializationFormat(ref);
  }

  private <T> ActorRef<T> resolve(String path) {
    return resolver().resolveActorRef(path);
  }

  /** Looked up on first use: the serializer is built while the actor system is still starting. */
  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }
}
