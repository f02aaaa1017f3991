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
 * bytes in one growing array, a slot of (hash, id + 1) ints, and offset, length and count arrays
 * by id. No object per word, no String, no boxing. Quern's parallelism has to beat this.
 *
 * <p>Usage: {@code java ByteWordCount.java IN OUT-FILE} (writes {@code word<TAB>count} lines, in
 * order of first appearance).
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

  // The table: slot k is table[2k] (the key's hash) and table[2k + 1] (its id + 1, 0 if empty).
  private int[] table = new int[2 * (1 << 16)];
  private int mask = (1 << 16) - 1;
  private int size;
  private int[] offsets = new int[1 << 15];
  private int[] lengths = new int[1 << 15];
  private long[] counts = new long[1 << 15];
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
    int[] t = table;
    int k = h & mask;
    while (true) {
      int id = t[2 * k + 1] - 1;
      if (id < 0) {
        insert(buf, from, len, h, k);
        return;
      }
      if (t[2 * k] == h && lengths[id] == len) {
        int off = offsets[id];
        if (Arrays.equals(keys, off, off + len, buf, from, from + len)) {
          counts[id]++;
          return;
        }
      }
      k = (k + 1) & mask;
    }
  }

  private void insert(byte[] buf, int from, int len, int h, int k) {
    int id = size++;
    if (id == counts.length) {
      offsets = Arrays.copyOf(offsets, id * 2);
      lengths = Arrays.copyOf(lengths, id * 2);
      counts = Arrays.copyOf(counts, id * 2);
    }
    if (keysUsed + len > keys.length) {
      keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keysUsed + len));
    }
    System.arraycopy(buf, from, keys, keysUsed, len);
    offsets[id] = keysUsed;
    lengths[id] = len;
    counts[id] = 1;
    keysUsed += len;
    table[2 * k] = h;
    table[2 * k + 1] = id + 1;
    if (size * 2 > mask + 1) { // load factor 1/2
      grow();
    }
  }

  private void grow() {
    int[] old = table;
    int cap = (mask + 1) * 2;
    table = new int[2 * cap];
    mask = cap - 1;
    for (int s = 0; s < old.length; s += 2) {
      if (old[s + 1] != 0) {
        int k = old[s] & mask;
        while (table[2 * k + 1] != 0) {
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
      for (int id = 0; id < size; id++) {
        o.write(keys, offsets[id], lengths[id]);
        o.write('\t');
        long c = counts[id];
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
