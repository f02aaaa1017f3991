package dev.quern.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Exactly-once client semantics on top of a {@link StateMachine} (Raft thesis 6.3). Commands are
 * {@link ClientCommand}s; a client retries a request (to another node, after a timeout or a leader
 * change) with the same sequence number, and the retry may be committed twice. Per client this
 * wrapper keeps a session: the highest sequence number applied and, for the last {@code window}
 * numbers, which were applied and their results. Results are {@link ClientResult}s, encoded:
 * <ul>
 *   <li>a number above the highest is applied;</li>
 *   <li>a number within the window is applied if it was not yet (a pipelining client's requests
 *   may commit out of order), else answered with the first application's result;</li>
 *   <li>a number below the window is {@link ClientResult.Refused refused} as STALE: it may or may
 *   not have been applied long ago, and an "OK" would claim a write that this command did not do;</li>
 *   <li>a client with no session may open one with a number within the first window (1 for a
 *   client with one request outstanding); a higher number is refused as NO_SESSION.</li>
 * </ul>
 *
 * <p>Sessions expire by the log's clock: each command carries the time its accepting node stamped
 * ({@link ClientCommand#at}); the log's time is the largest applied so far, and a session with no
 * command for {@code sessionTimeoutMillis} of log time is gone. Every replica applies the same
 * commands, so every replica expires the same sessions at the same entry, and the session table
 * (with the log's time) is part of the snapshot. A client whose session expired gets NO_SESSION and
 * starts over under a new client id. (A client that retries a number within the first window
 * after its session expired could be applied twice; the timeout is meant to be far longer than any
 * retry.)
 *
 * <p>Not thread-safe; the driver's thread applies entries and completes the futures of
 * {@link #resultOf}.
 */
public final class DedupStateMachine implements StateMachine {

  /**
   * What a session remembers. {@code applied}: bit i set when {@code highest - i} was applied.
   * {@code results}: a ring indexed by sequence number modulo the window; the slot of {@code seq}
   * holds its result while {@code highest - seq < window} and its bit is set, and is not read
   * otherwise (a slot is overwritten only by the next number of its residue). An array, not a
   * sorted map: every applied command touches it, on every replica.
   */
  private static final class Session {
    long highest;
    long applied;
    long lastActive;
    final byte[][] results;

    Session(int window) {
      results = new byte[window][];
    }

    boolean hasResult(long seq, int window) {
      long back = highest - seq;
      return seq >= 1 && back >= 0 && back < window && (applied & (1L << back)) != 0;
    }

    byte[] result(long seq) {
      return results[(int) (seq % results.length)];
    }
  }

  private record Key(long clientId, long sequence) {
  }

  private static final byte SNAPSHOT_VERSION = 1;

  private final StateMachine inner;
  private final int window;
  private final long sessionTimeoutMillis;
  private final TreeMap<Long, Session> sessions = new TreeMap<>();
  private final Map<Key, List<CompletableFuture<ClientResult>>> waiting = new HashMap<>();
  private long logTime;
  private long nextSweep;
  private long applyCount;

  /** One request outstanding per client, sessions never expire. */
  public DedupStateMachine(StateMachine inner) {
    this(inner, 1, 0);
  }

  /**
   * @param window               how many sequence numbers a client may have outstanding at once
   *                             (1 to 64)
   * @param sessionTimeoutMillis log time after which a silent client's session expires; 0: never
   */
  public DedupStateMachine(StateMachine inner, int window, long sessionTimeoutMillis) {
    if (window < 1 || window > 64) {
      throw new IllegalArgumentException("window must be 1..64, got " + window);
    }
    if (sessionTimeoutMillis < 0) {
      throw new IllegalArgumentException("sessionTimeoutMillis must be >= 0, got " + sessionTimeoutMillis);
    }
    this.inner = inner;
    this.window = window;
    this.sessionTimeoutMillis = sessionTimeoutMillis;
  }

  /** Applies an encoded {@link ClientCommand}; returns an encoded {@link ClientResult}. */
  @Override
  public byte[] apply(byte[] command) {
    ClientCommand c = ClientCommand.decode(command);
    logTime = Math.max(logTime, c.time());
    sweep();
    ClientResult result = decide(c);
    List<CompletableFuture<ClientResult>> futures = waiting.remove(new Key(c.clientId(), c.sequence()));
    if (futures != null) {
      for (CompletableFuture<ClientResult> f : futures) {
        f.complete(result);
      }
    }
    return result.encode();
  }

  private ClientResult decide(ClientCommand c) {
    long seq = c.sequence();
    Session s = sessions.get(c.clientId());
    if (s != null && expired(s)) {
      sessions.remove(c.clientId());
      s = null;
    }
    if (s == null) {
      if (seq > window) {
        return new ClientResult.Refused(ClientResult.Reason.NO_SESSION, "client " + c.clientId()
            + " has no session (it expired after " + sessionTimeoutMillis + " ms without a request, or was"
            + " never opened) and sequence " + seq + " cannot open one: start over with a new client id");
      }
      s = new Session(window);
      s.highest = seq;
      sessions.put(c.clientId(), s);
      return applyNew(c, s);
    }
    s.lastActive = logTime;
    if (seq > s.highest) {
      long shift = seq - s.highest;
      s.applied = shift >= 64 ? 0 : s.applied << shift;
      s.highest = seq; // the slots of numbers now out of the window are no longer read
      return applyNew(c, s);
    }
    long back = s.highest - seq;
    if (back >= window) {
      return new ClientResult.Refused(ClientResult.Reason.STALE, "sequence " + seq + " of client "
          + c.clientId() + " is older than its window (last applied " + s.highest + ", window " + window
          + "): not applied");
    }
    if ((s.applied & (1L << back)) != 0) {
      return new ClientResult.Done(s.result(seq));
    }
    return applyNew(c, s);
  }

  private ClientResult applyNew(ClientCommand c, Session s) {
    byte[] value = inner.apply(c.payload());
    applyCount++;
    s.applied |= 1L << (s.highest - c.sequence());
    s.results[(int) (c.sequence() % window)] = value == null ? new byte[0] : value;
    s.lastActive = logTime;
    return new ClientResult.Done(value);
  }

  private boolean expired(Session s) {
    return sessionTimeoutMillis > 0 && logTime - s.lastActive > sessionTimeoutMillis;
  }

  /** Frees expired sessions now and then; when is a function of the log alone (and in the snapshot). */
  private void sweep() {
    if (sessionTimeoutMillis == 0 || logTime < nextSweep) {
      return;
    }
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      if (expired(it.next())) {
        it.remove();
      }
    }
    nextSweep = logTime + Math.max(1, sessionTimeoutMillis / 2);
  }

  /** Applies a committed entry: only {@link EntryType#NORMAL} entries carry client commands. */
  public byte[] applyEntry(Entry entry) {
    return entry.type() == EntryType.NORMAL ? apply(entry.data()) : null;
  }

  /** A future completed with the result once request (client, sequence) is applied here. */
  public CompletableFuture<ClientResult> resultOf(long clientId, long sequence) {
    Session s = sessions.get(clientId);
    if (s != null && s.hasResult(sequence, window)) {
      return CompletableFuture.completedFuture(new ClientResult.Done(s.result(sequence)));
    }
    CompletableFuture<ClientResult> f = new CompletableFuture<>();
    waiting.computeIfAbsent(new Key(clientId, sequence), k -> new ArrayList<>()).add(f);
    return f;
  }

  /** The highest sequence number applied for {@code clientId}, or 0 (also after its session expired). */
  public long lastSequence(long clientId) {
    Session s = sessions.get(clientId);
    return s == null ? 0 : s.highest;
  }

  /** How many sessions are held (expired ones may linger until the next sweep). */
  public int sessionCount() {
    return sessions.size();
  }

  /** The log's clock: the largest command time applied so far. */
  public long logTime() {
    return logTime;
  }

  /** How many commands reached the inner state machine (repeats excluded); since start or restore. */
  public long applyCount() {
    return applyCount;
  }

  @Override
  public byte[] snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      snapshotImage().writeTo(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Copies the session table (a few numbers and result references per client) and takes the inner
   * state machine's own image; the encoding runs in {@link SnapshotImage#writeTo}.
   */
  @Override
  public SnapshotImage snapshotImage() {
    long frozenLogTime = logTime;
    long frozenNextSweep = nextSweep;
    List<long[]> numbers = new ArrayList<>(sessions.size());
    List<List<Map.Entry<Long, byte[]>>> results = new ArrayList<>(sessions.size());
    for (Map.Entry<Long, Session> e : sessions.entrySet()) {
      Session s = e.getValue();
      numbers.add(new long[] {e.getKey(), s.highest, s.applied, s.lastActive});
      // The results within the window, oldest first (the ring's slots are reused as numbers
      // advance); the byte arrays are never changed once stored.
      List<Map.Entry<Long, byte[]>> copy = new ArrayList<>();
      for (long seq = s.highest - window + 1; seq <= s.highest; seq++) {
        if (s.hasResult(seq, window)) {
          copy.add(Map.entry(seq, s.result(seq)));
        }
      }
      results.add(copy);
    }
    SnapshotImage innerImage = inner.snapshotImage();
    return sink -> {
      DataOutputStream out = new DataOutputStream(sink);
      out.writeByte(SNAPSHOT_VERSION);
      out.writeLong(frozenLogTime);
      out.writeLong(frozenNextSweep);
      out.writeInt(numbers.size());
      for (int i = 0; i < numbers.size(); i++) {
        long[] n = numbers.get(i);
        out.writeLong(n[0]);
        out.writeLong(n[1]);
        out.writeLong(n[2]);
        out.writeLong(n[3]);
        out.writeInt(results.get(i).size());
        for (Map.Entry<Long, byte[]> r : results.get(i)) {
          out.writeLong(r.getKey());
          out.writeInt(r.getValue().length);
          out.write(r.getValue());
        }
      }
      ByteArrayOutputStream image = new ByteArrayOutputStream();
      innerImage.writeTo(image);
      out.writeInt(image.size());
      image.writeTo(out);
      out.flush();
    };
  }

  @Override
  public void restore(byte[] snapshot) {
    sessions.clear();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      byte version = in.readByte();
      if (version != SNAPSHOT_VERSION) {
        throw new IllegalArgumentException("session table of version " + version + ", this node reads "
            + SNAPSHOT_VERSION);
      }
      logTime = in.readLong();
      nextSweep = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        long client = in.readLong();
        Session s = new Session(window);
        s.highest = in.readLong();
        s.applied = in.readLong();
        s.lastActive = in.readLong();
        int results = in.readInt();
        for (int j = 0; j < results; j++) {
          long seq = in.readLong();
          byte[] result = in.readNBytes(in.readInt());
          if (s.highest - seq < window) { // a node with a larger window wrote it: the rest is out of ours
            s.results[(int) (seq % window)] = result;
          }
        }
        sessions.put(client, s);
      }
      inner.restore(in.readNBytes(in.readInt()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
