package dev.quern.master.commit;

import dev.quern.api.Configurable;
import dev.quern.api.JobSpec;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.io.OutputFormat;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * The {@link OutputCommitter} of a job on the master, as its output format supplies it: the format
 * class is loaded from the engine's class path when it is there (the bundled formats), else from
 * the job's jar, and asked for {@code committer(conf)}.
 */
final class MasterCommitters {
  private MasterCommitters() {}

  static OutputCommitter of(JobSpec spec) throws IOException {
    String name = spec.outputFormat();
    ClassLoader engine = context();
    try {
      return committer(Class.forName(name, true, engine), spec);
    } catch (ClassNotFoundException notOnEngine) {
      if (spec.jar() == null) {
        throw new IOException("output format " + name + " of job '" + spec.name()
            + "' is not on the class path", notOnEngine);
      }
    }
    URLClassLoader jar = new URLClassLoader("job:" + spec.name(),
        new URL[] {Path.of(spec.jar()).toAbsolutePath().toUri().toURL()}, engine);
    try {
      OutputCommitter c = committer(Class.forName(name, true, jar), spec);
      if (c.getClass().getClassLoader() != jar) {
        jar.close(); // a bundled committer: the jar's loader is no longer needed
      }
      return c;
    } catch (ClassNotFoundException e) {
      jar.close();
      throw new IOException("output format " + name + " of job '" + spec.name()
          + "' is not in its jar " + spec.jar(), e);
    }
  }

  private static OutputCommitter committer(Class<?> format, JobSpec spec) throws IOException {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    // a committer named by class (quern.output.committer) may live in the job's jar too
    t.setContextClassLoader(format.getClassLoader());
    try {
      Object f = format.getConstructor().newInstance();
      if (!(f instanceof OutputFormat<?, ?> o)) {
        throw new IOException("output format " + format.getName() + " is not an OutputFormat");
      }
      if (f instanceof Configurable c) {
        c.configure(spec.configuration());
      }
      return o.committer(spec.configuration());
    } catch (ReflectiveOperationException e) {
      throw new IOException("cannot create output format " + format.getName() + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  private static ClassLoader context() {
    ClassLoader c = Thread.currentThread().getContextClassLoader();
    return c != null ? c : MasterCommitters.class.getClassLoader();
  }
}
