package dev.quern.master.engine;

import dev.quern.master.engine.BookWire.In;
import dev.quern.master.engine.BookWire.Out;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The bytes of a split list as the split store keeps them (a magic number, a format version, then
 * the splits as {@link BookCodec} writes them), and the hash they are stored under. The client
 * encodes the list it planned; the leader decodes it without the job's classes (a split of the
 * job's own class stays {@link BookSplit.Opaque} bytes).
 *
 * <pre>{@code
 * byte[] bytes = SplitListCodec.encode(splits);
 * StoredSplits ref = SplitListCodec.ref(bytes, splits.size());  // what JobAccepted carries
 * List<BookSplit> back = SplitListCodec.decode(bytes);
 * }</pre>
 */
public final class SplitListCodec {
  private static final int MAGIC = 0x51535054; // "QSPT"
  public static final int VERSION = 1;

  private SplitListCodec() {}

  public static byte[] encode(List<BookSplit> splits) {
    return new Out().i32(MAGIC).u8(VERSION).splits(splits).toBytes();
  }

  /** Reads what {@link #encode} wrote; {@link IllegalArgumentException} names what is wrong. */
  public static List<BookSplit> decode(byte[] bytes) {
    In in = new In(bytes);
    if (bytes.length < 5 || in.i32() != MAGIC) {
      throw new IllegalArgumentException("not a split list");
    }
    int v = in.u8();
    if (v != VERSION) {
      throw new IllegalArgumentException("the split list has format version " + v
          + "; this master reads version " + VERSION);
    }
    List<BookSplit> splits = in.splits();
    in.expectEnd("the split list");
    return List.copyOf(splits);
  }

  /** The reference to {@code bytes} (an encoded list of {@code count} splits). */
  public static StoredSplits ref(byte[] bytes, int count) {
    return new StoredSplits(sha256(bytes), count);
  }

  /** The lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
