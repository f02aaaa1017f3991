package dev.quern.api.serde;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Turns keys and values into bytes and back, for the sort buffer, spills and the shuffle.
 *
 * <p>The engine stores the length of every serialized key and value, so an encoding need not be
 * self-delimiting: {@link #read} gets an {@link Input} limited to exactly the bytes {@link #write}
 * produced. A serde whose bytes compare (unsigned, lexicographically) in the type's natural order
 * says so through {@link #rawOrdered()}; the sort then compares bytes without deserializing.
 * Instances are not thread-safe; the engine makes one per task.
 *
 * <pre>{@code
 * Serde<Long> s = Serdes.of(Long.class, loader);
 * Output out = new Output(16, -1);
 * s.write(42L, out);
 * Long back = s.read(new Input(out.getBuffer(), 0, out.position()));
 * }</pre>
 */
public interface Serde<T> {

  void write(T value, Output out);

  /** Reads one value from {@code in}, which holds exactly the bytes of one {@link #write}. */
  T read(Input in);

  /** True when unsigned lexicographic byte order equals the natural order of {@code T}. */
  default boolean rawOrdered() {
    return false;
  }
}
