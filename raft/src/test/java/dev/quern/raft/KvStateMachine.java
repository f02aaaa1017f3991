package dev.quern.raft;

import dev.quern.raft.kvdemo.StringMapCodec;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/** The test key-value store: "put k v", "append k v", "get k"; each returns the value after the command. */
final class KvStateMachine implements StateMachine {

  private final TreeMap<String, String> data = new TreeMap<>();

  static byte[] put(String k, String v) {
    return ("put " + k + " " + v).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] append(String k, String v) {
    return ("append " + k + " " + v).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] get(String k) {
    return ("get " + k).getBytes(StandardCharsets.UTF_8);
  }

  String value(String k) {
    return data.getOrDefault(k, "");
  }

  @Override
  public byte[] apply(byte[] command) {
    String[] p = new String(command, StandardCharsets.UTF_8).split(" ", 3);
    switch (p[0]) {
      case "put" -> data.put(p[1], p[2]);
      case "append" -> data.merge(p[1], p[2], String::concat);
      case "get" -> {
      }
      default -> throw new IllegalArgumentException("unknown command " + p[0]);
    }
    return value(p[1]).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] snapshot() {
    return StringMapCodec.encode(data);
  }

  @Override
  public void restore(byte[] snapshot) {
    data.clear();
    StringMapCodec.decodeInto(snapshot, data);
  }
}
