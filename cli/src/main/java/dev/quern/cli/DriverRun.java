package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmitter;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a driver's {@code main} the way {@code hadoop jar} does: in this JVM, from a class loader
 * over the job jar, with a cluster to submit to. The outcome is the driver's: it fails if
 * {@code main} throws or if any job it submitted did not succeed.
 */
final class DriverRun {
  private static final Logger log = LoggerFactory.getLogger(DriverRun.class);

  private DriverRun() {}

  static int run(AppJar jar, AppJar.DriverCall call, RunOptions options, PrintWriter out) {
    return run(jar, call, options, out, new PrintWriter(System.err, true));
  }

  /**
   * Runs the driver; {@code err} gets warnings, and the line an {@link ExitGuard} prints when the
   * JVM exits under the jobs.
   */
  static int run(AppJar jar, AppJar.DriverCall call, RunOptions options, PrintWriter out,
      PrintWriter err) {
    MasterAddress master = MasterAddress.parse(options.master);
    int uiPort = options.uiPort();
    try (URLClassLoader loader = new URLClassLoader("quern-job", new URL[] {url(jar)},
        DriverRun.class.getClassLoader())) {
      Method main = mainMethod(jar, call.mainClass(), loader);
      log.info("starting a local cluster with {} workers", master.workers());
      // Closed in reverse: the cluster stops before the guard goes.
      try (ExitGuard guard = ExitGuard.install(err);
          LocalClusters.Running cluster = LocalClusters.start(master, uiPort,
              options.historyDir(), out)) {
        ReportingSubmitter submitter = new ReportingSubmitter(cluster.submitter(),
            jar.path().toString(), options.config, out, err, System.console() != null,
            cluster.cluster()::jobView);
        guard.watch(cluster, submitter);
        return finish(invoke(main, call, submitter, loader), submitter);
      }
    } catch (Exception e) {
      throw asCliException(e, call);
    }
  }

  /**
   * After the driver's {@code main} returned (or threw {@code failure}): waits for the jobs it
   * left running, and fails over a job that did not succeed, else over the driver's exception.
   */
  static int finish(Throwable failure, ReportingSubmitter submitter) throws InterruptedException {
    awaitRemaining(submitter);
    checkJobs(submitter);
    if (failure != null) {
      throw new CliException(Errors.oneLine(failure), failure);
    }
    return 0;
  }

  /** What a run's failure becomes: one line for the command to print. */
  static CliException asCliException(Exception e, AppJar.DriverCall call) {
    if (e instanceof CliException c) {
      return c;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new CliException("interrupted while running " + call.mainClass(), e);
    }
    return new CliException(Errors.oneLine(e), e);
  }

  /** A job's own reason first: a driver that throws over a failed job mostly repeats it. */
  static void checkJobs(ReportingSubmitter submitter) {
    for (JobHandle h : submitter.submitted()) {
      JobStatus s = h.status();
      if (!s.succeeded()) {
        String state = s.state().name().toLowerCase(java.util.Locale.ROOT);
        String why = s.failure() == null ? state + ": no reason given"
            : s.failure().startsWith(state + " ") ? Errors.firstLine(s.failure())
            : state + ": " + Errors.firstLine(s.failure());
        throw new JobFailedException("job '" + s.name() + "' (" + s.id() + ") " + why,
            s.failure());
      }
    }
  }

  static Throwable invoke(Method main, AppJar.DriverCall call, JobSubmitter submitter,
      ClassLoader loader) {
    JobSubmitter previous = JobSubmitter.install(submitter);
    Thread thread = Thread.currentThread();
    ClassLoader previousLoader = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      main.invoke(null, (Object) call.args().toArray(new String[0]));
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    } catch (IllegalAccessException e) {
      return new CliException("cannot call " + call.mainClass() + ".main: " + e.getMessage(), e);
    } finally {
      thread.setContextClassLoader(previousLoader);
      JobSubmitter.install(previous);
    }
  }

  /** A driver may return before its jobs end; the cluster stays up until they do. */
  static void awaitRemaining(ReportingSubmitter submitter) throws InterruptedException {
    for (JobHandle h : submitter.submitted()) {
      h.awaitCompletion();
    }
  }

  static Method mainMethod(AppJar jar, String className, ClassLoader loader) {
    Class<?> cls;
    try {
      cls = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new CliException("class " + className + " not found in " + jar.path(), e);
    } catch (LinkageError e) {
      throw new CliException("cannot load " + className + " from " + jar.path() + ": " + e, e);
    }
    Method main;
    try {
      main = cls.getMethod("main", String[].class);
    } catch (NoSuchMethodException e) {
      main = null;
    } catch (LinkageError e) {
      throw new CliException("cannot load " + className + " from " + jar.path() + ": " + e, e);
    }
    if (main == null || !Modifier.isStatic(main.getModifiers())) {
      throw new CliException("class " + className + " in " + jar.path()
          + " has no public static void main(String[])");
    }
    return main;
  }

  static URL url(AppJar jar) {
    try {
      return jar.path().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new CliException("bad jar path " + jar.path(), e);
    }
  }
}
