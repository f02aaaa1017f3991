package dev.quern.worker.spill;

import dev.quern.worker.sort.KeyOrder;
import java.io.IOException;
import java.util.List;

/**
 * Merges sorted streams into one sorted stream with a binary heap of cursors. Records with equal
 * keys come out in the order of the input list (earlier inputs first), so merges are stable.
 * Under unsigned byte order each cursor's first 8 key bytes are kept as a long, which settles
 * most heap comparisons without touching the key bytes.
 */
public final class MergingStream implements RecordStream {
  private final RecordStream[] inputs;
  private final KeyOrder order;
  private final int[] heap;
  private final long[] prefix;
  private final boolean bytewise;
  private int size;
  private RecordStream current;
  private boolean started;

  public MergingStream(List<? extends RecordStream> inputs, KeyOrder order) {
    this.inputs = inputs.toArray(new RecordStream[0]);
    this.order = order;
    this.heap = new int[this.inputs.length];
    this.bytewise = order.bytesEqualMeansEqual();
    this.prefix = new long[this.inputs.length];
  }

  @Override
  public boolean next() throws IOException {
    if (!started) {
      started = true;
      for (int i = 0; i < inputs.length; i++) {
        if (inputs[i].next()) {
          notePrefix(i);
          heap[size++] = i;
        }
      }
      for (int i = size / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    } else if (current != null) {
      // Advance the stream whose record was handed out last, then restore the heap.
      if (current.next()) {
        notePrefix(heap[0]);
        siftDown(0);
      } else {
        heap[0] = heap[--size];
        if (size > 0) {
          siftDown(0);
        }
      }
    }
    if (size == 0) {
      current = null;
      return false;
    }
    current = inputs[heap[0]];
    return true;
  }

  private void notePrefix(int i) {
    if (bytewise) {
      RecordStream s = inputs[i];
      byte[] b = s.keyBuf();
      int off = s.keyOff();
      int n = Math.min(s.keyLen(), 8);
      long p = 0;
      for (int k = 0; k < n; k++) {
        p = (p << 8) | (b[off + k] & 0xff);
      }
      prefix[i] = n == 0 ? 0 : p << ((8 - n) * 8);
    }
  }

  private boolean less(int i, int j) {
    if (bytewise) {
      // Zero-padded prefixes: unequal ones order the keys; equal ones need the bytes.
      int c = Long.compareUnsigned(prefix[i], prefix[j]);
      if (c != 0) {
        return c < 0;
      }
    }
    RecordStream a = inputs[i];
    RecordStream b = inputs[j];
    int c = order.compare(a.keyBuf(), a.keyOff(), a.keyLen(), b.keyBuf(), b.keyOff(), b.keyLen());
    return c < 0 || (c == 0 && i < j);
  }

  private void siftDown(int at) {
    int x = heap[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && less(heap[child + 1], heap[child])) {
        child++;
      }
      if (!less(heap[child], x)) {
        break;
      }
      heap[at] = heap[child];
      at = child;
    }
    heap[at] = x;
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
