package dev.quern.raft.node;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import java.util.ArrayList;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * Serializes {@link RaftWire} messages with Kryo. Every class on the wire is registered with a fixed
 * id (Kryo refuses unregistered classes), so the format does not depend on registration order
 * elsewhere and a peer cannot make us instantiate arbitrary classes. Kryo instances are not
 * thread-safe, hence the pool.
 */
public final class RaftKryoSerializer extends JSerializer {

  /** Pekko serializer id; must be unique among the serializers of the actor system. */
  public static final int ID = 731_001;

  private final Pool<Kryo> pool = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return newKryo();
    }
  };

  public RaftKryoSerializer(ExtendedActorSystem system) {
    // The system is not needed while no ActorRef travels inside a Raft message.
  }

  static Kryo newKryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    int id = 100;
    kryo.register(ArrayList.class, id++);
    kryo.register(byte[].class, id++);
    kryo.register(EntryType.class, id++);
    kryo.register(Entry.class, id++);
    kryo.register(Membership.class, id++);
    kryo.register(Message.AppendEntries.class, id++);
    kryo.register(Message.AppendResponse.class, id++);
    kryo.register(Message.Heartbeat.class, id++);
    kryo.register(Message.HeartbeatResponse.class, id++);
    kryo.register(Message.RequestVote.class, id++);
    kryo.register(Message.VoteResponse.class, id++);
    kryo.register(Message.InstallSnapshot.class, id++);
    kryo.register(Message.InstallSnapshotResponse.class, id++);
    kryo.register(Message.TimeoutNow.class, id++);
    kryo.register(RaftNodeActor.Inbound.class, id++);
    return kryo;
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
    Kryo kryo = pool.obtain();
    try (Output out = new Output(256, -1)) {
      kryo.writeClassAndObject(out, o);
      return out.toBytes();
    } finally {
      pool.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = pool.obtain();
    try (Input in = new Input(bytes)) {
      return kryo.readClassAndObject(in);
    } finally {
      pool.free(kryo);
    }
  }
}
