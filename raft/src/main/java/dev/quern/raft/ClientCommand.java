package dev.quern.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A client request as it travels in the log: the client's id, its sequence number (1, 2, 3, ... with
 * one request outstanding at a time; a retry reuses the number) and the command for the state machine.
 */
public record ClientCommand(long clientId, long sequence, byte[] payload) {

  public byte[] encode() {
    return ByteBuffer.allocate(16 + payload.length).putLong(clientId).putLong(sequence).put(payload).array();
  }

  public static ClientCommand decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    long client = b.getLong();
    long seq = b.getLong();
    return new ClientCommand(client, seq, Arrays.copyOfRange(data, 16, data.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientCommand c && c.clientId == clientId && c.sequence == sequence
        && Arrays.equals(c.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(clientId) * 31 + Long.hashCode(sequence);
  }
}
