package dev.quern.worker.spill;

import dev.quern.worker.sort.KeyOrder;
import java.io.IOException;
import java.util.List;

/**
 * Merges sorted streams into one sorted stream with a tournament tree of losers: each record
 * costs one comparison per level of the tree (a binary heap needs two). Records with equal keys
 * come out in the order of the input list (earlier inputs first), so merges are stable. Under
 * unsigned byte order each cursor's first 8 key bytes are kept as a long, which settles most
 * comparisons without touching the key bytes.
 */
public final class MergingStream implements RecordStream {
  private final RecordStream[] inputs;
  private final KeyOrder order;
  private final int k;
  // tree[0] is the input holding the smallest record; tree[1..k-1] the losers of each match.
  // Leaf i sits at node k + i; node n's parent is n / 2.
  private final int[] tree;
  private final boolean[] done;
  private final long[] prefix;
  private final boolean bytewise;
  private RecordStream current;
  private boolean started;

  public MergingStream(List<? extends RecordStream> inputs, KeyOrder order) {
    this.inputs = inputs.toArray(new RecordStream[0]);
    this.order = order;
    this.k = this.inputs.length;
    this.tree = new int[Math.max(k, 1)];
    this.done = new boolean[k];
    this.bytewise = order.bytesEqualMeansEqual();
    this.prefix = new long[k];
  }

  @Override
  public boolean next() throws IOException {
    if (!started) {
      started = true;
      if (k == 0) {
        return false;
      }
      for (int i = 0; i < k; i++) {
        advance(i);
      }
      build();
    } else if (current != null) {
      // Advance the stream whose record was handed out last, then replay its path to the root.
      int w = tree[0];
      advance(w);
      replay(w);
    } else {
      return false;
    }
    if (done[tree[0]]) {
      current = null;
      return false;
    }
    current = inputs[tree[0]];
    return true;
  }

  private void advance(int i) throws IOException {
    if (inputs[i].next()) {
      notePrefix(i);
    } else {
      done[i] = true;
      prefix[i] = -1L;
    }
  }

  private void build() {
    int[] winner = new int[2 * k];
    for (int i = 0; i < k; i++) {
      winner[k + i] = i;
    }
    for (int n = k - 1; n >= 1; n--) {
      int a = winner[2 * n];
      int b = winner[2 * n + 1];
      if (less(a, b)) {
        winner[n] = a;
        tree[n] = b;
      } else {
        winner[n] = b;
        tree[n] = a;
      }
    }
    tree[0] = winner[1];
  }

  private void replay(int w) {
    int cur = w;
    for (int n = (k + w) >>> 1; n >= 1; n >>>= 1) {
      int other = tree[n];
      // Selects rather than branches where the JIT can: with random keys the outcome is a coin
      // toss, and a mispredicted branch per level was most of the merge's cost.
      boolean swap = less(other, cur);
      tree[n] = swap ? cur : other;
      cur = swap ? other : cur;
    }
    tree[0] = cur;
  }

  private void notePrefix(int i) {
    if (bytewise) {
      RecordStream s = inputs[i];
      byte[] b = s.keyBuf();
      int off = s.keyOff();
      int n = Math.min(s.keyLen(), 8);
      long p = 0;
      for (int j = 0; j < n; j++) {
        p = (p << 8) | (b[off + j] & 0xff);
      }
      prefix[i] = n == 0 ? 0 : p << ((8 - n) * 8);
    }
  }

  /** Whether input i's record comes before input j's; an exhausted input comes last. */
  private boolean less(int i, int j) {
    if (bytewise) {
      // Zero-padded prefixes, with an exhausted input's set to the largest value: unequal ones
      // decide; equal ones need the flags and the bytes.
      long a = prefix[i] + Long.MIN_VALUE;
      long b = prefix[j] + Long.MIN_VALUE;
      if (a != b) {
        return a < b;
      }
    }
    if (done[i]) {
      return false;
    }
    if (done[j]) {
      return true;
    }
    RecordStream a = inputs[i];
    RecordStream b = inputs[j];
    int c = order.compare(a.keyBuf(), a.keyOff(), a.keyLen(), b.keyBuf(), b.keyOff(), b.keyLen());
    return c < 0 || (c == 0 && i < j);
  }

  @Override
  public byte[] keyBuf() {
    return current.keyBuf();
  }

  @Override
  public int keyOff() {
    return current.keyOff();
  }

  @Override
  public int keyLen() {
    return current.keyLen();
  }

  @Override
  public byte[] valBuf() {
    return current.valBuf();
  }

  @Override
  public int valOff() {
    return current.valOff();
  }

  @Override
  public int valLen() {
    return current.valLen();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (RecordStream s : inputs) {
      try {
        s.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
