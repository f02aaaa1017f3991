package dev.quern.cli;

import dev.quern.master.submit.ClusterSubmitter;
import dev.quern.master.client.MasterList;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Optional;

/**
 * {@code quern submit --master quern://...}: the driver runs here (as {@code hadoop jar} does)
 * and its jobs run on the cluster. A dying client does not take its jobs with it: they keep
 * running, and {@code quern wait JOB} finds them.
 */
final class ClusterDriverRun {
  private ClusterDriverRun() {}

  /** Refuses a malformed {@code quern://} address as a usage error (exit 2). */
  static void checkAddress(String address) {
    try {
      MasterList.parse(address);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--master " + e.getMessage()
          + "; write quern://HOST:PORT,HOST:PORT,... (the masters' HTTP addresses)");
    }
  }

  /**
   * The driver's first submission with {@code --detach}: its id is printed, and this unwinds the
   * driver so the command can return while the job runs on.
   */
  private static final class Detached extends RuntimeException {
    Detached(String jobId) {
      super("detached from " + jobId, null, false, false);
    }
  }

  /** @param detach return once the first job is accepted, printing its id */
  static int run(AppJar jar, AppJar.DriverCall call, RunOptions options, boolean detach,
      PrintWriter out, PrintWriter err) {
    try (URLClassLoader loader = new URLClassLoader("quern-job", new URL[] {DriverRun.url(jar)},
        ClusterDriverRun.class.getClassLoader())) {
      Method main = DriverRun.mainMethod(jar, call.mainClass(), loader);
      if (detach) {
        ClusterSubmitter cluster = ClusterSubmitter.connect(options.master,
            ClientToken.access(ClusterDir.defaultDir()));
        Throwable failure = DriverRun.invoke(main, call, spec -> {
          String id = cluster.submit(ReportingSubmitter.stamp(spec, jar.path().toString(),
              options.config)).id();
          out.println(id);
          out.flush();
          throw new Detached(id);
        }, loader);
        if (failure instanceof Detached) {
          return 0;
        }
        if (failure != null) {
          throw new CliException(Errors.oneLine(failure), failure);
        }
        throw new CliException("the driver " + call.mainClass() + " submitted no job");
      }
      ReportingSubmitter submitter = new ReportingSubmitter(
          ClusterSubmitter.connect(options.master, ClientToken.access(ClusterDir.defaultDir())),
          jar.path().toString(), options.config, out,
          err, System.console() != null, id -> Optional.empty());
      return DriverRun.finish(DriverRun.invoke(main, call, submitter, loader), submitter);
    } catch (Exception e) {
      throw DriverRun.asCliException(e, call);
    }
  }
}
