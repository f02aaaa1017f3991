package dev.quern.master.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(data.size());
            for (Map.Entry<String, String> e : data.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
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
                data.put(in.readUTF(), in.readUTF());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
