package dev.quern.api.serde;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The serde for a class: order-preserving binary encodings for {@code String}, {@code Integer},
 * {@code Long}, {@code Double} and {@code byte[]}; Kryo for anything else.
 *
 * <ul>
 *   <li>{@code String}: its UTF-8 bytes, so strings sort by Unicode code point (as Hadoop's
 *       {@code Text} does; this differs from {@code String.compareTo} only for characters above
 *       U+FFFF against U+E000..U+FFFF).
 *   <li>{@code Integer}, {@code Long}: big-endian with the sign bit flipped.
 *   <li>{@code Double}: the IEEE bits, all flipped for negatives and the sign flipped otherwise, so
 *       the bytes sort as {@link Double#compare} does.
 *   <li>{@code byte[]}: the bytes themselves, ordered unsigned.
 * </ul>
 *
 * <pre>{@code
 * Serde<String> words = Serdes.of(String.class, getClass().getClassLoader());
 * }</pre>
 */
public final class Serdes {
  private Serdes() {}

  @SuppressWarnings("unchecked")
  public static <T> Serde<T> of(Class<T> type, ClassLoader loader) {
    if (type == String.class) {
      return (Serde<T>) new StringSerde();
    }
    if (type == Long.class) {
      return (Serde<T>) new LongSerde();
    }
    if (type == Integer.class) {
      return (Serde<T>) new IntegerSerde();
    }
    if (type == Double.class) {
      return (Serde<T>) new DoubleSerde();
    }
    if (type == byte[].class) {
      return (Serde<T>) new BytesSerde();
    }
    return new KryoSerde<>(type, loader);
  }

  /** Loads the class by name through the job's class loader, then returns its serde. */
  @SuppressWarnings("unchecked")
  public static <T> Serde<T> of(String className, ClassLoader loader) {
    try {
      return of((Class<T>) Class.forName(className, false, loader), loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("class " + className + " not found", e);
    }
  }

  /**
   * The class whose objects {@code serde} encodes when they are immutable ({@code String},
   * {@code Long}, {@code Integer}, {@code Double}: the built-in encodings of final value classes),
   * else null ({@code byte[]}, Kryo). The engine may keep such objects as they were emitted
   * instead of serializing them at once, since no caller can change them afterwards; for these
   * classes, equal objects also have equal bytes (for a {@code String}, after the replacement of
   * unpaired surrogates that UTF-8 encoding makes).
   */
  public static Class<?> immutableClass(Serde<?> serde) {
    if (serde instanceof StringSerde) {
      return String.class;
    }
    if (serde instanceof LongSerde) {
      return Long.class;
    }
    if (serde instanceof IntegerSerde) {
      return Integer.class;
    }
    if (serde instanceof DoubleSerde) {
      return Double.class;
    }
    return null;
  }

  /** Bytes of the remaining input, without copying when the input is array-backed. */
  static int remaining(Input in) {
    return in.limit() - in.position();
  }

  static final class StringSerde implements Serde<String> {
    @Override
    public void write(String value, Output out) {
      // Most keys are short ASCII: copy the chars straight into the output's free space, without
      // an intermediate array; anything else (or no room) takes the encoder.
      int n = value.length();
      byte[] buf = out.getBuffer();
      int pos = out.position();
      if (n <= buf.length - pos) {
        int i = 0;
        while (i < n) {
          char c = value.charAt(i);
          if (c >= 0x80) {
            break;
          }
          buf[pos + i] = (byte) c;
          i++;
        }
        if (i == n) {
          out.setPosition(pos + n);
          return;
        }
      }
      out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String read(Input in) {
      int n = remaining(in);
      String s = new String(in.getBuffer(), in.position(), n, StandardCharsets.UTF_8);
      in.setPosition(in.position() + n);
      return s;
    }

    @Override
    public boolean rawOrdered() {
      return true;
    }
  }

  static final class LongSerde implements Serde<Long> {
    private static final VarHandle LONG_BE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    @Override
    public void write(Long value, Output out) {
      long v = value ^ Long.MIN_VALUE;
      byte[] buf = out.getBuffer();
      int pos = out.position();
      if (buf.length - pos >= 8) {
        LONG_BE.set(buf, pos, v);
        out.setPosition(pos + 8);
        return;
      }
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.writeByte((byte) (v >>> shift));
      }
    }

    @Override
    public Long read(Input in) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (in.readByte() & 0xff);
      }
      return v ^ Long.MIN_VALUE;
    }

    @Override
    public boolean rawOrdered() {
      return true;
    }
  }

  static final class IntegerSerde implements Serde<Integer> {
    @Override
    public void write(Integer value, Output out) {
      int v = value ^ Integer.MIN_VALUE;
      for (int shift = 24; shift >= 0; shift -= 8) {
        out.writeByte((byte) (v >>> shift));
      }
    }

    @Override
    public Integer read(Input in) {
      int v = 0;
      for (int i = 0; i < 4; i++) {
        v = (v << 8) | (in.readByte() & 0xff);
      }
      return v ^ Integer.MIN_VALUE;
    }

    @Override
    public boolean rawOrdered() {
      return true;
    }
  }

  static final class DoubleSerde implements Serde<Double> {
    private final LongSerde bits = new LongSerde();

    @Override
    public void write(Double value, Output out) {
      long b = Double.doubleToLongBits(value);
      // Negative numbers: flip everything so larger magnitudes sort first; positives: set the sign.
      b = b < 0 ? ~b : b | Long.MIN_VALUE;
      bits.write(b ^ Long.MIN_VALUE, out);
    }

    @Override
    public Double read(Input in) {
      long b = bits.read(in) ^ Long.MIN_VALUE;
      b = b < 0 ? b & Long.MAX_VALUE : ~b;
      return Double.longBitsToDouble(b);
    }

    @Override
    public boolean rawOrdered() {
      return true;
    }
  }

  static final class BytesSerde implements Serde<byte[]> {
    @Override
    public void write(byte[] value, Output out) {
      out.writeBytes(value);
    }

    @Override
    public byte[] read(Input in) {
      int n = remaining(in);
      byte[] b = Arrays.copyOfRange(in.getBuffer(), in.position(), in.position() + n);
      in.setPosition(in.position() + n);
      return b;
    }

    @Override
    public boolean rawOrdered() {
      return true;
    }
  }

  /** Any other class, through Kryo with unregistered classes allowed (the job's own types). */
  static final class KryoSerde<T> implements Serde<T> {
    private final Class<T> type;
    private final Kryo kryo = new Kryo();

    KryoSerde(Class<T> type, ClassLoader loader) {
      this.type = type;
      kryo.setRegistrationRequired(false);
      kryo.setClassLoader(loader);
      kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    }

    @Override
    public void write(T value, Output out) {
      kryo.writeObject(out, value);
    }

    @Override
    public T read(Input in) {
      return kryo.readObject(in, type);
    }
  }
}
