package dev.quern.raft.kvdemo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Snapshot bytes of a string-to-string map: a count, then length-prefixed UTF-8 keys and values
 * (not {@code writeUTF}, which stops at 64 KiB while appended values keep growing).
 *
 * <pre>{@code
 * byte[] snap = StringMapCodec.encode(data);
 * data.clear();
 * StringMapCodec.decodeInto(snap, data);
 * }</pre>
 */
public final class StringMapCodec {
  private StringMapCodec() {}

  public static byte[] encode(Map<String, String> map) {
  ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  try (DataOutputStream out = new DataOutputStream(bytes)) {
    out.writeInt(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
    writeString(out, e.getKey());
    writeString(out, e.getValue());
    }
  } catch (IOException e) {
    throw new UncheckedIOException(e);
  }
  return bytes.toByteArray();
  }

  /** Puts every entry of {@code snapshot} into {@code map}; fails on bytes {@link #encode} did not write. */
  public static void decodeInto(byte[] snapshot, Map<String, String> map) {
  try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
    map.put(readString(in), readString(in));
    }
  } catch (IOException e) {
    throw new UncheckedIOException("corrupt key-value snapshot", e);
  }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
  byte[] b = s.getBytes(StandardCharsets.UTF_8);
  out.writeInt(b.length);
  out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
  return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
  }
}
