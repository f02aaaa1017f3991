package dev.quern.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Exactly-once client semantics on top of a {@link StateMachine}. Commands are {@link ClientCommand}s;
 * a client retries a request (to another node, after a timeout or a leader change) with the same
 * sequence number, and the retry may be committed twice. This wrapper remembers, per client, the last
 * sequence number applied and its result: a repeat returns the remembered result instead of applying
 * the command again. The session table is part of the snapshot, so the memory survives compaction and
 * restarts.
 *
 * <p>Results come back when applied: {@link #resultOf(long, long)} gives a future that completes when
 * that request is applied (on whichever node this wrapper runs). Not thread-safe; the driver's thread
 * applies entries and completes the futures.
 *
 * <p>Sessions are never expired: expiry would need a deterministic clock carried in the log.
 */
public final class DedupStateMachine implements StateMachine {

  private record Session(long lastSequence, byte[] lastResult) {
  }

  private record Key(long clientId, long sequence) {
  }

  private final StateMachine inner;
  private final TreeMap<Long, Session> sessions = new TreeMap<>();
  private final Map<Key, List<CompletableFuture<byte[]>>> waiting = new HashMap<>();
  private long applyCount;

  public DedupStateMachine(StateMachine inner) {
    this.inner = inner;
  }

  /** Applies an encoded {@link ClientCommand}; a repeat of the client's last request is not re-applied. */
  @Override
  public byte[] apply(byte[] command) {
    ClientCommand c = ClientCommand.decode(command);
    Session s = sessions.get(c.clientId());
    byte[] result;
    if (s != null && c.sequence() <= s.lastSequence()) {
      // A retry that was committed more than once. Older than the last one: the client has moved
      // on and will never read the answer, so there is nothing to return.
      result = c.sequence() == s.lastSequence() ? s.lastResult() : null;
    } else {
      result = inner.apply(c.payload());
      applyCount++;
      sessions.put(c.clientId(), new Session(c.sequence(), result));
    }
    List<CompletableFuture<byte[]>> futures = waiting.remove(new Key(c.clientId(), c.sequence()));
    if (futures != null) {
      for (CompletableFuture<byte[]> f : futures) {
        f.complete(result);
      }
    }
    return result;
  }

  /** Applies a committed entry: only {@link EntryType#NORMAL} entries carry client commands. */
  public byte[] applyEntry(Entry entry) {
    return entry.type() == EntryType.NORMAL ? apply(entry.data()) : null;
  }

  /** A future completed with the result once request (client, sequence) is applied here. */
  public CompletableFuture<byte[]> resultOf(long clientId, long sequence) {
    Session s = sessions.get(clientId);
    if (s != null && s.lastSequence() == sequence) {
      return CompletableFuture.completedFuture(s.lastResult());
    }
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    waiting.computeIfAbsent(new Key(clientId, sequence), k -> new ArrayList<>()).add(f);
    return f;
  }

  /** The last sequence number applied for {@code clientId}, or 0. */
  public long lastSequence(long clientId) {
    Session s = sessions.get(clientId);
    return s == null ? 0 : s.lastSequence();
  }

  /** How many commands reached the inner state machine (repeats excluded); since start or restore. */
  public long applyCount() {
    return applyCount;
  }

  @Override
  public byte[] snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(sessions.size());
      for (Map.Entry<Long, Session> e : sessions.entrySet()) {
        out.writeLong(e.getKey());
        out.writeLong(e.getValue().lastSequence());
        byte[] r = e.getValue().lastResult();
        out.writeInt(r == null ? -1 : r.length);
        if (r != null) {
          out.write(r);
        }
      }
      byte[] image = inner.snapshot();
      out.writeInt(image.length);
      out.write(image);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    sessions.clear();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        long client = in.readLong();
        long seq = in.readLong();
        int len = in.readInt();
        byte[] r = len < 0 ? null : in.readNBytes(len);
        sessions.put(client, new Session(seq, r));
      }
      inner.restore(in.readNBytes(in.readInt()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
