package dev.quern.worker.spill;

import java.io.IOException;

/** Receives serialized records (a value length of -1 means a null value). */
@FunctionalInterface
public interface RecordSink {
  void write(byte[] kb, int ko, int kl, byte[] vb, int vo, int vl) throws IOException;
}
