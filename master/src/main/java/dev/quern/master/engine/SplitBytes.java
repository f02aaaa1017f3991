package dev.quern.master.engine;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import dev.quern.api.io.InputSplit;
import org.objenesis.strategy.StdInstantiatorStrategy;

/** Kryo set up as the api's serdes set it up for a job's own types. */
final class SplitBytes {
  private SplitBytes() {}

  static Kryo kryo(ClassLoader loader) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(false);
    kryo.setClassLoader(loader);
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    return kryo;
  }

  static byte[] write(InputSplit split, Kryo kryo) {
    Output out = new Output(256, -1);
    kryo.writeClassAndObject(out, split);
    return out.toBytes();
  }

  static InputSplit read(byte[] bytes, ClassLoader loader) {
    Object o = kryo(loader).readClassAndObject(new Input(bytes));
    if (!(o instanceof InputSplit s)) {
      throw new IllegalArgumentException("the bytes hold a " + o.getClass().getName()
          + ", not an InputSplit");
    }
    return s;
  }
}
