package dev.quern.master.raft.process;

import dev.quern.master.raft.DedupStateMachine;
import dev.quern.master.raft.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master process's replicated key-value store: put and append of strings, applied exactly once
 * per client request ({@link DedupStateMachine} underneath, so a client may retry at another node).
 * Log commands are encoded {@link dev.quern.master.raft.ClientCommand}s carrying a {@link KvCommand};
 * the result of a put is empty, of an append the new value. Reads go through ReadIndex and
 * {@link #get(String)}, never through the log.
 */
public final class KvStateMachine implements StateMachine {

    private final TreeMap<String, String> data = new TreeMap<>();
    private final DedupStateMachine dedup = new DedupStateMachine(new Inner());

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
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(data.size());
                for (Map.Entry<String, String> e : data.entrySet()) {
                    writeString(out, e.getKey());
                    writeString(out, e.getValue());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        @Override
        public void restore(byte[] snapshot) {
            data.clear();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    data.put(readString(in), readString(in));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt key-value snapshot", e);
            }
        }
    }

    // writeUTF is limited to 64 KiB; values grow with appends.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
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
    public void restore(byte[] snapshot) {
        dedup.restore(snapshot);
    }

    /** The value of {@code key}, {@code ""} if absent (as an append to a missing key starts from ""). */
    public String get(String key) {
        return data.getOrDefault(key, "");
    }
}
