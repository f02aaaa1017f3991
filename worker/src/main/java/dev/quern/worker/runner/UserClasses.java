package dev.quern.worker.runner;

import dev.quern.api.Configurable;
import dev.quern.api.Configuration;
import dev.quern.api.JobSpec;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Instantiates the job's classes (mapper, reducer, formats, comparators...) by name from the job's
 * class loader, through their public no-arg constructor, and configures them.
 */
public final class UserClasses {
  private final JobSpec job;
  private final ClassLoader loader;
  private final Configuration conf;
  private final Constructors constructors;

  /**
   * The constructors of one job loader's classes, shared by the tasks that run with that loader.
   * Why: the combiner is instantiated for every partition of every spill and every hash fold (a
   * new one each time, as Hadoop's), and each task makes its mapper, reducer and formats; looking
   * a class up in the loader and turning its constructor into a method handle (a lambda form
   * built) once per job rather than once per task saves as much again as the calls themselves
   * with many small tasks. Calls go through the handle, which {@code Constructor.newInstance}
   * does not: that asks the JVM for its caller (a stack walk) on every call.
   */
  public static final class Constructors {
    private final ClassLoader loader;
    private final Map<String, Made> made = new ConcurrentHashMap<>();

    public Constructors(ClassLoader loader) {
      this.loader = loader;
    }

    public ClassLoader loader() {
      return loader;
    }
  }

  /** A class and its public no-arg constructor, as a handle that returns Object (invokeExact). */
  private record Made(Class<?> type, MethodHandle constructor) {}

  public UserClasses(JobSpec job, ClassLoader loader, Configuration conf) {
    this(job, new Constructors(loader), conf);
  }

  /** As the other constructor, with constructors shared with other tasks of the same loader. */
  public UserClasses(JobSpec job, Constructors constructors, Configuration conf) {
    this.job = job;
    this.loader = constructors.loader();
    this.conf = conf;
    this.constructors = constructors;
  }

  public ClassLoader loader() {
    return loader;
  }

  /** Loads a class named by the job; {@code role} names it in errors ("map output key"). */
  public Class<?> load(String className, String role) {
    try {
      return Class.forName(className, true, loader);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      throw new IllegalArgumentException(
          role + " class " + className + " not found in " + where(), e);
    }
  }

  /**
   * A new, configured instance of {@code className}, which must implement {@code kind}. Exceptions
   * thrown by the user's constructor or {@code configure} propagate unchanged.
   */
  public <T> T create(String className, Class<T> kind, String role) throws Exception {
    Made made = constructors.made.get(className);
    if (made == null || !kind.isAssignableFrom(made.type())) {
      made = constructor(className, kind, role);
      constructors.made.put(className, made);
    }
    Object o;
    try {
      o = (Object) made.constructor().invokeExact();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(className + "'s constructor threw " + t, t);
    }
    if (o instanceof Configurable cf) {
      cf.configure(conf);
    }
    return kind.cast(o);
  }

  private Made constructor(String className, Class<?> kind, String role) {
    Class<?> c = load(className, role);
    if (!kind.isAssignableFrom(c)) {
      throw new IllegalArgumentException(className + " is not a " + kind.getSimpleName()
          + " (named as the job's " + role + ")");
    }
    Constructor<?> ctor;
    try {
      ctor = c.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(className + " has no public no-arg constructor", e);
    }
    if (Modifier.isAbstract(c.getModifiers()) || !Modifier.isPublic(c.getModifiers())) {
      throw new IllegalArgumentException(className + " (the job's " + role
          + ") must be a public, concrete class with a public no-arg constructor");
    }
    try {
      return new Made(c, MethodHandles.publicLookup().unreflectConstructor(ctor)
          .asType(MethodType.methodType(Object.class)));
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(className + " (the job's " + role
          + ") must be a public class that other code can reach: " + e.getMessage(), e);
    }
  }

  private String where() {
    return job.jar() == null ? "the class path (the job has no jar)" : "the job's jar " + job.jar();
  }
}
