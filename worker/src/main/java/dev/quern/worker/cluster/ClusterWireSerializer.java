package dev.quern.worker.cluster;

import static dev.quern.worker.cluster.TaskSpecCodec.readAttempt;
import static dev.quern.worker.cluster.TaskSpecCodec.readCounters;
import static dev.quern.worker.cluster.TaskSpecCodec.readMapOutput;
import static dev.quern.worker.cluster.TaskSpecCodec.readTask;
import static dev.quern.worker.cluster.TaskSpecCodec.str;
import static dev.quern.worker.cluster.TaskSpecCodec.writeAttempt;
import static dev.quern.worker.cluster.TaskSpecCodec.writeCounters;
import static dev.quern.worker.cluster.TaskSpecCodec.writeMapOutput;
import static dev.quern.worker.cluster.TaskSpecCodec.writeTask;

import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.AttemptFailed;
import dev.quern.worker.cluster.ClusterWire.AttemptKilled;
import dev.quern.worker.cluster.ClusterWire.AttemptProgress;
import dev.quern.worker.cluster.ClusterWire.CanCommit;
import dev.quern.worker.cluster.ClusterWire.CommitAnswer;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.JobEnded;
import dev.quern.worker.cluster.ClusterWire.KillAttempt;
import dev.quern.worker.cluster.ClusterWire.MasterHello;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.Refused;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
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
 * these types are ever built from bytes, so a peer cannot make us instantiate anything else;
 * unknown manifests and oversized lists are refused (Artery logs and drops the message).
 *
 * <p>The attempt messages (added later) have a two-letter code and a format version in their
 * manifest ({@code "RA1"}: RunAttempt, version 1; values by {@link TaskSpecCodec}): a changed
 * layout gets a new version, and the reader keeps reading the old ones.
 */
public final class ClusterWireSerializer extends SerializerWithStringManifest {

  /** Pekko serializer id; unique among the serializers of the actor system. */
  public static final int ID = 731_101;

  private static final int MAX_RUNNING = 100_000;
  /** Map outputs one update may add or withdraw (a job's maps, at most). */
  private static final int MAX_OUTPUTS = 1_000_000;
  /** Executors one heartbeat may list (one per job running here). */
  private static final int MAX_EXECUTORS = 10_000;
  /** A log chunk's bytes: the worker sends at most 128 KiB, well under Artery's frame. */
  private static final int MAX_LOG_CHUNK = 128 * 1024;

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
    } else if (o instanceof RunAttempt) {
      return "RA1";
    } else if (o instanceof KillAttempt) {
      return "KA1";
    } else if (o instanceof CommitAnswer) {
      return "CA1";
    } else if (o instanceof JobEnded) {
      return "JE1";
    } else if (o instanceof ClusterWire.FinalsAcked) {
      return "FA1";
    } else if (o instanceof ClusterWire.MasterDirectory) {
      return "MD2";
    } else if (o instanceof ClusterWire.MapOutputsChanged) {
      return "MO1";
    } else if (o instanceof AttemptProgress) {
      return "AP1";
    } else if (o instanceof AttemptDone) {
      return "AD1";
    } else if (o instanceof AttemptFailed) {
      return "AF1";
    } else if (o instanceof AttemptKilled) {
      return "AK1";
    } else if (o instanceof CanCommit) {
      return "CC1";
    } else if (o instanceof ClusterWire.FetchLogs) {
      return "FL1";
    } else if (o instanceof ClusterWire.LogChunk) {
      return "LC1";
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
        out.writeUTF(h.http()); // last: a reader that predates it ignores it
        out.writeInt(h.executors().size()); // after http, likewise
        for (ClusterWire.ExecutorReport e : h.executors()) {
          str(out, e.jobId());
          out.writeLong(e.pid());
          str(out, e.memory());
          out.writeLong(e.startedMillis());
          out.writeInt(e.running());
          out.writeInt(e.generation());
        }
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
      } else if (o instanceof RunAttempt r) {
        out.writeLong(r.term());
        str(out, r.leaderId());
        writeTask(out, r.task());
      } else if (o instanceof KillAttempt k) {
        out.writeLong(k.term());
        str(out, k.leaderId());
        writeAttempt(out, k.attempt());
        str(out, k.reason());
      } else if (o instanceof ClusterWire.MasterDirectory d) {
        out.writeLong(d.term());
        str(out, d.leaderId());
        out.writeInt(d.httpAddresses().size());
        for (String a : d.httpAddresses()) {
          str(out, a);
        }
        out.writeInt(d.raftAddresses().size());
        for (String a : d.raftAddresses()) {
          str(out, a);
        }
      } else if (o instanceof JobEnded j) {
        out.writeLong(j.term());
        str(out, j.leaderId());
        str(out, j.jobId());
      } else if (o instanceof ClusterWire.FinalsAcked a) {
        out.writeLong(a.term());
        str(out, a.leaderId());
        out.writeInt(a.attempts().size());
        for (dev.quern.worker.task.TaskAttemptId id : a.attempts()) {
          writeAttempt(out, id);
        }
      } else if (o instanceof CommitAnswer c) {
        out.writeLong(c.term());
        str(out, c.leaderId());
        writeAttempt(out, c.attempt());
        out.writeBoolean(c.granted());
        str(out, c.reason());
      } else if (o instanceof ClusterWire.MapOutputsChanged c) {
        out.writeLong(c.term());
        str(out, c.leaderId());
        writeAttempt(out, c.attempt());
        out.writeInt(c.added().size());
        for (dev.quern.worker.task.MapOutputRef r : c.added()) {
          writeMapOutput(out, r);
        }
        out.writeInt(c.withdrawn().size());
        for (dev.quern.worker.task.TaskAttemptId w : c.withdrawn()) {
          writeAttempt(out, w);
        }
      } else if (o instanceof AttemptProgress p) {
        str(out, p.workerId());
        writeAttempt(out, p.attempt());
        out.writeFloat(p.fraction());
      } else if (o instanceof AttemptDone d) {
        str(out, d.workerId());
        writeAttempt(out, d.attempt());
        writeCounters(out, d.counters());
        writeMapOutput(out, d.mapOutput());
      } else if (o instanceof AttemptFailed f) {
        str(out, f.workerId());
        writeAttempt(out, f.attempt());
        str(out, f.message());
        str(out, f.stackTrace());
        writeMapOutput(out, f.lostOutput());
      } else if (o instanceof AttemptKilled k) {
        str(out, k.workerId());
        writeAttempt(out, k.attempt());
        str(out, k.reason());
      } else if (o instanceof ClusterWire.FetchLogs f) {
        str(out, f.jobId());
        str(out, f.attempt());
        str(out, f.stream());
        out.writeLong(f.offset());
        out.writeInt(f.length());
        str(out, ref(f.replyTo()));
      } else if (o instanceof ClusterWire.LogChunk c) {
        str(out, c.workerId());
        str(out, c.status());
        str(out, c.message());
        out.writeLong(c.size());
        out.writeLong(c.offset());
        out.writeInt(c.bytes().length);
        out.write(c.bytes());
      } else if (o instanceof CanCommit c) {
        str(out, c.workerId());
        writeAttempt(out, c.attempt());
        str(out, ref(c.replyTo()));
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
          long seenTerm = in.readLong();
          boolean registering = in.readBoolean();
          ActorRef<ClusterWire.ToWorker> replyTo = resolve(in.readUTF());
          // Absent from a worker that predates it.
          String http = in.available() > 0 ? in.readUTF() : "";
          List<ClusterWire.ExecutorReport> executors = new ArrayList<>();
          if (in.available() > 0) {
            int e = in.readInt();
            if (e < 0 || e > MAX_EXECUTORS) {
              throw new NotSerializableException("heartbeat with " + e + " executors");
            }
            for (int i = 0; i < e; i++) {
              executors.add(new ClusterWire.ExecutorReport(str(in), in.readLong(), str(in),
                  in.readLong(), in.readInt(), in.readInt()));
            }
          }
          yield new Heartbeat(id, address, slots, free, running, seenTerm, registering, replyTo,
              http, executors);
        }
        case "M" -> new MasterHello(in.readUTF(), in.readUTF());
        case "A" -> new Accepted(in.readLong(), in.readUTF(), resolve(in.readUTF()));
        case "N" -> new NotLeader(in.readUTF(), in.readLong(), in.readUTF(), in.readUTF());
        case "R" -> new Refused(in.readUTF(), in.readLong(), in.readUTF());
        case "RA1" -> new RunAttempt(in.readLong(), str(in), readTask(in));
        case "KA1" -> new KillAttempt(in.readLong(), str(in), readAttempt(in), str(in));
        case "JE1" -> new JobEnded(in.readLong(), str(in), str(in));
        case "FA1" -> {
          long term = in.readLong();
          String leaderId = str(in);
          int n = in.readInt();
          if (n < 0 || n > MAX_RUNNING) {
            throw new NotSerializableException("an ack of " + n + " final reports");
          }
          List<dev.quern.worker.task.TaskAttemptId> attempts = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            attempts.add(readAttempt(in));
          }
          yield new ClusterWire.FinalsAcked(term, leaderId, attempts);
        }
        case "MD1", "MD2" -> {
          long term = in.readLong();
          String leaderId = str(in);
          List<String> addresses = addresses(in);
          yield new ClusterWire.MasterDirectory(term, leaderId, addresses,
              manifest.equals("MD2") ? addresses(in) : List.of());
        }
        case "CA1" -> new CommitAnswer(in.readLong(), str(in), readAttempt(in), in.readBoolean(),
            str(in));
        case "MO1" -> {
          long term = in.readLong();
          String leaderId = str(in);
          dev.quern.worker.task.TaskAttemptId attempt = readAttempt(in);
          int n = in.readInt();
          if (n < 0 || n > MAX_OUTPUTS) {
            throw new NotSerializableException("an update of " + n + " map outputs");
          }
          List<dev.quern.worker.task.MapOutputRef> added = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            dev.quern.worker.task.MapOutputRef r = readMapOutput(in);
            if (r == null) {
              throw new NotSerializableException("an update naming no map output");
            }
            added.add(r);
          }
          int w = in.readInt();
          if (w < 0 || w > MAX_OUTPUTS) {
            throw new NotSerializableException("an update withdrawing " + w + " map outputs");
          }
          List<dev.quern.worker.task.TaskAttemptId> withdrawn = new ArrayList<>(w);
          for (int i = 0; i < w; i++) {
            withdrawn.add(readAttempt(in));
          }
          yield new ClusterWire.MapOutputsChanged(term, leaderId, attempt, added, withdrawn);
        }
        case "AP1" -> new AttemptProgress(str(in), readAttempt(in), in.readFloat());
        case "AD1" -> new AttemptDone(str(in), readAttempt(in), readCounters(in),
            readMapOutput(in));
        case "AF1" -> new AttemptFailed(str(in), readAttempt(in), str(in), str(in),
            readMapOutput(in));
        case "AK1" -> new AttemptKilled(str(in), readAttempt(in), str(in));
        case "CC1" -> new CanCommit(str(in), readAttempt(in), resolve(str(in)));
        case "FL1" -> new ClusterWire.FetchLogs(str(in), str(in), str(in), in.readLong(),
            in.readInt(), resolve(str(in)));
        case "LC1" -> {
          String worker = str(in);
          String status = str(in);
          String message = str(in);
          long size = in.readLong();
          long offset = in.readLong();
          int n = in.readInt();
          if (n < 0 || n > MAX_LOG_CHUNK) {
            throw new NotSerializableException("a log chunk of " + n + " bytes");
          }
          byte[] b = new byte[n];
          in.readFully(b);
          yield new ClusterWire.LogChunk(worker, status, message, size, offset, b);
        }
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

  /** A master directory's list of addresses: a count, at most 64, then each. */
  private static List<String> addresses(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 64) {
      throw new IllegalArgumentException("a master directory of " + n + " addresses");
    }
    List<String> addresses = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      addresses.add(str(in));
    }
    return addresses;
  }
}
