package dev.quern.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A client request as it travels in the log: the client's id, its sequence number (1, 2, 3, ...; a
 * retry reuses the number), the time at which a node accepted it, and the command for the state
 * machine.
 *
 * <p>The time is what carries the clock into the log (Raft thesis 6.3): the node that turns a
 * client's request into a command stamps its wall clock in milliseconds, and {@link
 * DedupStateMachine} expires sessions by the largest time it has applied, so every replica expires
 * the same sessions at the same entry. 0 means "no time": such commands never advance the log's clock.
 *
 * <pre>{@code
 * byte[] entry = new ClientCommand(clientId, seq, payload).at(System.currentTimeMillis()).encode();
 * }</pre>
 *
 * Encoded as {@code [version 1][client 8][sequence 8][time 8][payload]}.
 */
public record ClientCommand(long clientId, long sequence, long time, byte[] payload) {

  /** The encoding's version; a command of another version is refused, never guessed at. */
  public static final byte VERSION = 1;
  private static final int HEADER = 1 + 8 + 8 + 8;

  public ClientCommand {
    if (sequence <= 0) {
      throw new IllegalArgumentException("sequence numbers start at 1, got " + sequence);
    }
    if (time < 0) {
      throw new IllegalArgumentException("time must be >= 0, got " + time);
    }
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
  }

  /** A command with no time (it does not move the log's clock). */
  public ClientCommand(long clientId, long sequence, byte[] payload) {
    this(clientId, sequence, 0, payload);
  }

  /** This command stamped with {@code millis}, the accepting node's wall clock. */
  public ClientCommand at(long millis) {
    return new ClientCommand(clientId, sequence, millis, payload);
  }

  public byte[] encode() {
    return ByteBuffer.allocate(HEADER + payload.length).put(VERSION).putLong(clientId).putLong(sequence)
        .putLong(time).put(payload).array();
  }

  /** Decodes an entry's data; refuses data too short or of another version, saying which. */
  public static ClientCommand decode(byte[] data) {
    if (data.length < HEADER) {
      throw new IllegalArgumentException("client command of " + data.length + " bytes, shorter than its "
          + HEADER + "-byte header");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("client command of version " + version + ", this node reads "
          + VERSION);
    }
    long client = b.getLong();
    long seq = b.getLong();
    long time = b.getLong();
    return new ClientCommand(client, seq, time, Arrays.copyOfRange(data, HEADER, data.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientCommand c && c.clientId == clientId && c.sequence == sequence
        && c.time == time && Arrays.equals(c.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(clientId) * 31 + Long.hashCode(sequence);
  }

  @Override
  public String toString() {
    return "ClientCommand[" + clientId + "#" + sequence + " t=" + time + " " + payload.length + "B]";
  }
}
