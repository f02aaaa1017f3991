package dev.quern.master.engine;

import com.esotericsoftware.kryo.Kryo;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.task.OpaqueSplit;

/** The split bytes of {@link OpaqueSplit}: one Kryo set-up for the book and the workers. */
final class SplitBytes {
  private SplitBytes() {}

  static Kryo kryo(ClassLoader loader) {
    return OpaqueSplit.kryo(loader);
  }

  static byte[] write(InputSplit split, Kryo kryo) {
    return OpaqueSplit.write(split, kryo);
  }

  static InputSplit read(byte[] bytes, ClassLoader loader) {
    return OpaqueSplit.read(bytes, loader);
  }
}
