package dev.quern.worker.task;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import dev.quern.api.io.InputSplit;
import java.util.Arrays;
import java.util.List;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * An input split of a job's own class on its way to a task: Kryo's encoding of the split with
 * its class name ({@code writeClassAndObject}), plus what a master needs to schedule and show it.
 * Masters never load a job's classes, so they carry the split as these bytes; the attempt reads
 * the split back with the job's class loader when it starts, on its slot thread ({@link
 * #readIn}). A split that does not read back fails that attempt, naming it.
 *
 * @param bytes the split as {@link #write} wrote it
 * @param description the split's own {@link InputSplit#describe()}, for errors and the UI
 */
public record OpaqueSplit(byte[] bytes, long length, List<String> hosts, String description)
    implements InputSplit {

  public OpaqueSplit {
    bytes = bytes.clone();
    hosts = List.copyOf(hosts);
    if (description == null) {
      throw new IllegalArgumentException("an opaque split needs a description");
    }
  }

  /** {@code split} in Kryo form; the split's classes must load through {@code loader}. */
  public static OpaqueSplit of(InputSplit split, ClassLoader loader) {
    return new OpaqueSplit(write(split, kryo(loader)), split.length(),
        List.copyOf(split.hosts()), split.describe());
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String describe() {
    return description;
  }

  /** The split itself, read with {@code jobLoader}. */
  public InputSplit read(ClassLoader jobLoader) {
    return read(bytes, jobLoader);
  }

  /**
   * {@code spec} with its split read, if it is a map task with an opaque split; else {@code spec}.
   *
   * @throws IllegalArgumentException naming the job, task, attempt and split when the bytes do
   *     not read back as an {@link InputSplit} with {@code jobLoader}
   */
  public static TaskSpec readIn(TaskSpec spec, ClassLoader jobLoader) {
    if (!(spec instanceof MapTaskSpec m) || !(m.split() instanceof OpaqueSplit o)) {
      return spec;
    }
    InputSplit split;
    try {
      split = o.read(jobLoader);
    } catch (RuntimeException | LinkageError e) {
      TaskAttemptId id = m.id();
      throw new IllegalArgumentException("job " + id.jobId() + ", task " + id.taskName()
          + ", attempt " + id + ": input split '" + o.description() + "' ("
          + o.bytes.length + " bytes) cannot be read with the job's classes: " + e, e);
    }
    return new MapTaskSpec(m.id(), m.job(), split, m.scratchDir(), m.outputWorkDir());
  }

  /** Kryo set up as the api's serdes set it up for a job's own types. */
  public static Kryo kryo(ClassLoader loader) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(false);
    kryo.setClassLoader(loader);
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    return kryo;
  }

  public static byte[] write(InputSplit split, Kryo kryo) {
    Output out = new Output(256, -1);
    kryo.writeClassAndObject(out, split);
    return out.toBytes();
  }

  public static InputSplit read(byte[] bytes, ClassLoader loader) {
    Object o = kryo(loader).readClassAndObject(new Input(bytes));
    if (!(o instanceof InputSplit s)) {
      throw new IllegalArgumentException("the bytes hold a "
          + (o == null ? "null" : o.getClass().getName()) + ", not an InputSplit");
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpaqueSplit other && Arrays.equals(bytes, other.bytes)
        && length == other.length && hosts.equals(other.hosts)
        && description.equals(other.description);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes) * 31 + description.hashCode();
  }

  @Override
  public String toString() {
    return "OpaqueSplit[" + description + ", " + bytes.length + " bytes]";
  }
}
