package dev.quern.examples.join;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The join's composite map output key: the customer id, then a tag that puts the customer's own
 * row ({@link #CUSTOMER}) before its orders ({@link #ORDER}). Sorting by both and grouping by the
 * id alone hands each reduce call the customer first, then its orders, with nothing buffered.
 *
 * <p>Serialized as the id's UTF-8 bytes, a zero byte, then the tag byte (ids never hold a zero
 * byte), so unsigned byte order is (id by code point, tag): {@link JoinKeyOrder} and {@link
 * CustomerGrouping} compare the bytes without deserializing. Example: {@code ("c7", ORDER)} is
 * {@code 63 37 00 01}.
 */
@DefaultSerializer(JoinKey.Bytes.class)
public record JoinKey(String customerId, int tag) implements Comparable<JoinKey> {
  public static final int CUSTOMER = 0;
  public static final int ORDER = 1;

  public JoinKey {
    if (customerId.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a customer id must not contain a zero character");
    }
    if (tag != CUSTOMER && tag != ORDER) {
      throw new IllegalArgumentException("tag must be CUSTOMER (0) or ORDER (1), got " + tag);
    }
  }

  @Override
  public int compareTo(JoinKey o) {
    int c = compareIds(customerId, o.customerId);
    return c != 0 ? c : Integer.compare(tag, o.tag);
  }

  /** The order of the ids' UTF-8 bytes: code point order, not {@link String#compareTo}. */
  static int compareIds(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** The byte layout described on {@link JoinKey}; Kryo finds it through the annotation. */
  public static final class Bytes extends Serializer<JoinKey> {
    @Override
    public void write(Kryo kryo, Output out, JoinKey key) {
      out.writeBytes(key.customerId.getBytes(StandardCharsets.UTF_8));
      out.writeByte(0);
      out.writeByte(key.tag);
    }

    @Override
    public JoinKey read(Kryo kryo, Input in, Class<? extends JoinKey> type) {
      ByteArrayOutputStream id = new ByteArrayOutputStream(32);
      for (byte b = in.readByte(); b != 0; b = in.readByte()) {
        id.write(b);
      }
      return new JoinKey(id.toString(StandardCharsets.UTF_8), in.readByte());
    }
  }
}
