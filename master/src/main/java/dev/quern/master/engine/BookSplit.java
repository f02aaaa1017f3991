package dev.quern.master.engine;

import com.esotericsoftware.kryo.Kryo;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.task.OpaqueSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One planned input split as the book holds it: what the master needs to schedule and show it
 * (length, hosts, description), and the split itself in a form the master can carry without the
 * job's classes. A {@link FileSplit} is Quern's own and stays as it is; any other split (a
 * job's own class) is bytes written by the submitting side, which has the job's class loader, and
 * read back only by the task's class loader ({@link #toSplit}).
 */
public sealed interface BookSplit {

  long length();

  List<String> hosts();

  /** As {@link InputSplit#describe()}. */
  String describe();

  /** The split, read with the job's class loader. */
  InputSplit toSplit(ClassLoader jobLoader);

  /**
   * The split as a task carries it: a {@link FileSplit} as it is, any other as an {@link
   * OpaqueSplit} that the attempt reads with the job's class loader when it starts.
   */
  InputSplit toTaskSplit();

  /**
   * Encodes {@code split} (the submitting side, with the job's class loader); throws {@link
   * IllegalArgumentException} when Kryo cannot write it.
   */
  static BookSplit of(InputSplit split, ClassLoader jobLoader) {
    return ofAll(List.of(split), jobLoader).get(0);
  }

  /** {@link #of} for a whole split list. */
  static List<BookSplit> ofAll(List<? extends InputSplit> splits, ClassLoader jobLoader) {
    List<BookSplit> out = new ArrayList<>(splits.size());
    Kryo kryo = null; // only for splits of the job's own classes
    for (InputSplit split : splits) {
      if (split instanceof FileSplit f) {
        out.add(new File(f));
      } else {
        kryo = kryo != null ? kryo : SplitBytes.kryo(jobLoader);
        byte[] bytes;
        try {
          bytes = SplitBytes.write(split, kryo);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("input split " + split.describe() + " ("
              + split.getClass().getName() + ") cannot be serialized with Kryo: " + e, e);
        }
        out.add(new Opaque(bytes, split.length(), List.copyOf(split.hosts()), split.describe()));
      }
    }
    return List.copyOf(out);
  }

  /** A split of Quern's own file input. */
  record File(FileSplit split) implements BookSplit {
    @Override
    public long length() {
      return split.length();
    }

    @Override
    public List<String> hosts() {
      return split.hosts();
    }

    @Override
    public String describe() {
      return split.describe();
    }

    @Override
    public InputSplit toSplit(ClassLoader jobLoader) {
      return split;
    }

    @Override
    public InputSplit toTaskSplit() {
      return split;
    }
  }

  /**
   * A split of a class the master does not know: {@code bytes} is Kryo's encoding of the object
   * with its class name ({@code writeClassAndObject}), readable only where the job's classes are.
   */
  record Opaque(byte[] bytes, long length, List<String> hosts, String description)
      implements BookSplit {
    public Opaque {
      bytes = bytes.clone();
      hosts = List.copyOf(hosts);
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public InputSplit toSplit(ClassLoader jobLoader) {
      return SplitBytes.read(bytes, jobLoader);
    }

    @Override
    public InputSplit toTaskSplit() {
      return new OpaqueSplit(bytes, length, hosts, description);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Opaque other && Arrays.equals(bytes, other.bytes)
          && length == other.length && hosts.equals(other.hosts)
          && description.equals(other.description);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes) * 31 + description.hashCode();
    }

    @Override
    public String toString() {
      return "Opaque[" + description + ", " + bytes.length + " bytes]";
    }
  }
}
