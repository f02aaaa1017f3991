package dev.quern.worker.runner;

import dev.quern.api.Configurable;
import dev.quern.api.Configuration;
import dev.quern.api.JobSpec;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * Instantiates the job's classes (mapper, reducer, formats, comparators...) by name from the job's
 * class loader, through their public no-arg constructor, and configures them.
 */
public final class UserClasses {
  private final JobSpec job;
  private final ClassLoader loader;
  private final Configuration conf;
  // The combiner is instantiated for every spill and every hash fold: skip the loader lookups.
  private final Map<String, Constructor<?>> constructors = new HashMap<>();

  public UserClasses(JobSpec job, ClassLoader loader, Configuration conf) {
    this.job = job;
    this.loader = loader;
    this.conf = conf;
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
    Constructor<?> ctor = constructors.get(className);
    if (ctor == null || !kind.isAssignableFrom(ctor.getDeclaringClass())) {
      ctor = constructor(className, kind, role);
      constructors.put(className, ctor);
    }
    Object o;
    try {
      o = ctor.newInstance();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    }
    if (o instanceof Configurable cf) {
      cf.configure(conf);
    }
    return kind.cast(o);
  }

  private Constructor<?> constructor(String className, Class<?> kind, String role) {
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
    return ctor;
  }

  private String where() {
    return job.jar() == null ? "the class path (the job has no jar)" : "the job's jar " + job.jar();
  }
}
