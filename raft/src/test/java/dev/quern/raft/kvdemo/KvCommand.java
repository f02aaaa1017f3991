package dev.quern.raft.kvdemo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A write to the master's key-value store as it travels in the log (inside a
 * {@link dev.quern.raft.ClientCommand}): {@code [op][key length][key][value]}, UTF-8.
 */
public record KvCommand(Op op, String key, String value) {

  public enum Op { PUT, APPEND }

  public byte[] encode() {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 4 + k.length + v.length).put((byte) op.ordinal()).putInt(k.length).put(k).put(v).array();
  }

  public static KvCommand decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    int op = b.get();
    if (op < 0 || op >= Op.values().length) {
      throw new IllegalArgumentException("unknown key-value op " + op + " in a " + data.length + "-byte command");
    }
    byte[] k = new byte[b.getInt()];
    b.get(k);
    byte[] v = new byte[b.remaining()];
    b.get(v);
    return new KvCommand(Op.values()[op], new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8));
  }
}
