package dev.quern.api.commit;

import dev.quern.api.Configuration;
import java.lang.reflect.InvocationTargetException;

/**
 * The committer a job's configuration names in {@value #KEY}: {@code rename} (the default, {@link
 * RenameOutputCommitter}), {@code manifest} ({@link ManifestOutputCommitter}) or the name of a
 * class implementing {@link OutputCommitter} with a public no-argument constructor. An output
 * format's {@code committer(conf)} returns this unless the format supplies its own.
 *
 * <pre>{@code
 * Configuration conf = Configuration.of(Map.of(OutputCommitters.KEY, "manifest"));
 * OutputCommitter c = OutputCommitters.forJob(conf);   // a ManifestOutputCommitter
 * }</pre>
 */
public final class OutputCommitters {
  /** Which committer a job uses: {@code rename}, {@code manifest} or a class name. */
  public static final String KEY = "quern.output.committer";

  private static final RenameOutputCommitter RENAME = new RenameOutputCommitter();
  private static final ManifestOutputCommitter MANIFEST = new ManifestOutputCommitter();

  private OutputCommitters() {}

  /** The default committer. */
  public static OutputCommitter rename() {
    return RENAME;
  }

  /**
   * The committer that {@value #KEY} names; fails naming the key and the value when it names
   * nothing usable.
   */
  public static OutputCommitter forJob(Configuration conf) {
    String name = conf.get(KEY, "rename").trim();
    switch (name) {
      case "rename":
        return RENAME;
      case "manifest":
        return MANIFEST;
      default:
        break;
    }
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    Class<?> c;
    try {
      c = Class.forName(name, true, context != null ? context
          : OutputCommitters.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(KEY + " must be rename, manifest or the name of an "
          + "OutputCommitter class, got '" + name + "' (no such class)", e);
    }
    if (!OutputCommitter.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(KEY + ": class " + name
          + " does not implement " + OutputCommitter.class.getName());
    }
    try {
      return (OutputCommitter) c.getConstructor().newInstance();
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalArgumentException(KEY + ": class " + name
          + " needs a public no-argument constructor", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(KEY + ": the constructor of " + name + " threw "
          + e.getCause(), e.getCause());
    }
  }
}
