package dev.quern.worker.map;

import dev.quern.worker.spill.RecordSink;
import java.util.Arrays;

/** A small growable list of serialized records: what a fold's combiner emitted. */
final class PendingRecords implements RecordSink {
  private byte[] bytes = new byte[256];
  private int used;
  private int[] meta = new int[4 * 8];
  private int count;

  void clear() {
    used = 0;
    count = 0;
  }

  int size() {
    return count;
  }

  byte[] bytes() {
    return bytes;
  }

  int keyOff(int i) {
    return meta[i * 4];
  }

  int keyLen(int i) {
    return meta[i * 4 + 1];
  }

  int valOff(int i) {
    return meta[i * 4 + 2];
  }

  int valLen(int i) {
    return meta[i * 4 + 3];
  }

  @Override
  public void write(byte[] kb, int ko, int kl, byte[] vb, int vo, int vl) {
    int need = used + kl + Math.max(vl, 0);
    if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
    }
    if (count * 4 + 4 > meta.length) {
      meta = Arrays.copyOf(meta, meta.length * 2);
    }
    int m = count * 4;
    meta[m] = used;
    meta[m + 1] = kl;
    System.arraycopy(kb, ko, bytes, used, kl);
    used += kl;
    meta[m + 2] = used;
    meta[m + 3] = vl;
    if (vl > 0) {
      System.arraycopy(vb, vo, bytes, used, vl);
      used += vl;
    }
    count++;
  }
}
