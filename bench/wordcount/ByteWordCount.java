import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The floor for the WordCount benchmark: one thread, one pass over the file's bytes, read in
 * large chunks, split on StringTokenizer's default delimiters (space, tab, newline, carriage
 * return, form feed; as bytes, which is the same split for UTF-8 text, whose multi-byte sequences
 * never hold a byte below 0x80), and counted in an open-addressing table of byte keys: the keys'
 * bytes in one growing array, and a slot of two longs holding all else (hash, length, offset,
 * count), so that a hit reads one slot and the key's bytes. No object per word, no String, no
 * boxing. Quern's parallelism has to beat this.
 *
 * <p>Usage: {@code java ByteWordCount.java IN OUT-FILE} (writes {@code word<TAB>count} lines, in
 * no particular order).
 */
public final class ByteWordCount {
  private static final int CHUNK = 8 << 20;
  /** 1 for the bytes that end a token. */
  private static final boolean[] DELIMITER = new boolean[256];

  static {
    for (char c : " \t\n\r\f".toCharArray()) {
      DELIMITER[c] = true;
    }
  }

  // The table: slot k is table[2k], the key's hash (high 32 bits) and length (low 32; 0 marks an
  // empty slot, as no key is empty), and table[2k + 1], the offset of its bytes in keys (high 32)
  // and its count (low 32), so that a hit reads one slot and the key's bytes.
  private long[] table = new long[2 * (1 << 16)];
  private int mask = (1 << 16) - 1;
  private int size;
  private byte[] keys = new byte[1 << 20];
  private int keysUsed;

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java ByteWordCount.java IN OUT-FILE");
      System.exit(2);
    }
    ByteWordCount count = new ByteWordCount();
    count.countFile(Path.of(args[0]));
    count.write(Path.of(args[1]));
  }

  void countFile(Path in) throws IOException {
    byte[] buf = new byte[CHUNK];
    ByteBuffer bb = ByteBuffer.wrap(buf);
    try (FileChannel ch = FileChannel.open(in, StandardOpenOption.READ)) {
      int carry = 0; // bytes of an unfinished token moved to the front of buf
      while (true) {
        bb.clear().position(carry);
        int n = ch.read(bb);
        if (n < 0) {
          if (carry > 0) {
            add(buf, 0, carry, hash(buf, 0, carry));
          }
          return;
        }
        int end = carry + n;
        int last = scan(buf, end);
        carry = end - last;
        if (carry == buf.length) { // one token fills the buffer: make room
          buf = Arrays.copyOf(buf, buf.length * 2);
          bb = ByteBuffer.wrap(buf);
        } else {
          System.arraycopy(buf, last, buf, 0, carry);
        }
      }
    }
  }

  /** Counts the complete tokens of buf[0, end); returns where the unfinished last one starts. */
  private int scan(byte[] buf, int end) {
    boolean[] delim = DELIMITER;
    int i = 0;
    while (true) {
      while (i < end && delim[buf[i] & 0xff]) {
        i++;
      }
      int start = i;
      int h = 0;
      while (i < end) {
        byte b = buf[i];
        if (delim[b & 0xff]) {
          break;
        }
        h = 31 * h + b;
        i++;
      }
      if (i == end) {
        return start;
      }
      add(buf, start, i - start, h);
    }
  }

  private static int hash(byte[] buf, int from, int len) {
    int h = 0;
    for (int i = from; i < from + len; i++) {
      h = 31 * h + buf[i];
    }
    return h;
  }

  private void add(byte[] buf, int from, int len, int raw) {
    int h = raw * 0x9E3779B9;
    h ^= h >>> 15;
    long want = (long) h << 32 | len;
    long[] t = table;
    int k = h & mask;
    while (true) {
      long a = t[2 * k];
      if (a == 0) {
        insert(buf, from, len, want, k);
        return;
      }
      if (a == want) {
        long b = t[2 * k + 1];
        int off = (int) (b >>> 32);
        if (Arrays.equals(keys, off, off + len, buf, from, from + len)) {
          if ((int) b == -1) {
            throw new IllegalStateException("a count passed 2^32 - 1");
          }
          t[2 * k + 1] = b + 1;
          return;
        }
      }
      k = (k + 1) & mask;
    }
  }

  private void insert(byte[] buf, int from, int len, long want, int k) {
    if ((long) keysUsed + len > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("the distinct keys passed 2 GiB");
    }
    if (keysUsed + len > keys.length) {
      keys = Arrays.copyOf(keys, (int) Math.min(Integer.MAX_VALUE - 8,
          Math.max(2L * keys.length, keysUsed + len)));
    }
    System.arraycopy(buf, from, keys, keysUsed, len);
    table[2 * k] = want;
    table[2 * k + 1] = (long) keysUsed << 32 | 1;
    keysUsed += len;
    if (++size * 2 > mask + 1) { // load factor 1/2
      grow();
    }
  }

  private void grow() {
    long[] old = table;
    int cap = (mask + 1) * 2;
    table = new long[2 * cap];
    mask = cap - 1;
    for (int s = 0; s < old.length; s += 2) {
      if (old[s] != 0) {
        int k = (int) (old[s] >>> 32) & mask;
        while (table[2 * k] != 0) {
          k = (k + 1) & mask;
        }
        table[2 * k] = old[s];
        table[2 * k + 1] = old[s + 1];
      }
    }
  }

  void write(Path out) throws IOException {
    byte[] digits = new byte[20];
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
      for (int s = 0; s < table.length; s += 2) {
        if (table[s] == 0) {
          continue;
        }
        o.write(keys, (int) (table[s + 1] >>> 32), (int) table[s]);
        o.write('\t');
        long c = table[s + 1] & 0xffffffffL;
        int p = digits.length;
        do {
          digits[--p] = (byte) ('0' + c % 10);
          c /= 10;
        } while (c > 0);
        o.write(digits, p, digits.length - p);
        o.write('\n');
      }
    }
  }
}
