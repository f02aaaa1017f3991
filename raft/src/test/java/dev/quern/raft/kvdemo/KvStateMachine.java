package dev.quern.raft.kvdemo;

import dev.quern.raft.DedupStateMachine;
import dev.quern.raft.SnapshotImage;
import dev.quern.raft.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * The master process's replicated key-value store: put and append of strings, applied exactly once
 * per client request ({@link DedupStateMachine} underneath, so a client may retry at another node).
 * Log commands are encoded {@link dev.quern.raft.ClientCommand}s carrying a {@link KvCommand};
 * the result of a put is empty, of an append the new value. Reads go through ReadIndex and
 * {@link #get(String)}, never through the log.
 */
public final class KvStateMachine implements StateMachine {

  private final TreeMap<String, String> data = new TreeMap<>();
  /** Clients may pipeline up to 16 writes; a client silent for 10 minutes of log time is forgotten. */
  private final DedupStateMachine dedup = new DedupStateMachine(new Inner(), 16, 10 * 60 * 1000);

  /** The plain store, below the deduplication. */
  private final class Inner implements StateMachine {
    @Override
    public byte[] apply(byte[] command) {
      KvCommand c = KvCommand.decode(command);
      String value = switch (c.op()) {
        case PUT -> {
          data.put(c.key(), c.value());
          yield "";
        }
        case APPEND -> data.merge(c.key(), c.value(), String::concat);
      };
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] snapshot() {
      return StringMapCodec.encode(data);
    }

    /** A shallow copy (keys and values are immutable strings); encoded on the snapshot thread. */
    @Override
    public SnapshotImage snapshotImage() {
      TreeMap<String, String> frozen = new TreeMap<>(data);
      return out -> out.write(StringMapCodec.encode(frozen));
    }

    @Override
    public void restore(byte[] snapshot) {
      data.clear();
      StringMapCodec.decodeInto(snapshot, data);
    }
  }


  @Override
  public byte[] apply(byte[] command) {
    return dedup.apply(command);
  }

  @Override
  public byte[] snapshot() {
    return dedup.snapshot();
  }

  @Override
  public SnapshotImage snapshotImage() {
    return dedup.snapshotImage();
  }

  @Override
  public void restore(byte[] snapshot) {
    dedup.restore(snapshot);
  }

  /** The value of {@code key}, {@code ""} if absent (as an append to a missing key starts from ""). */
  public String get(String key) {
    return data.getOrDefault(key, "");
  }
}
