package dev.quern.cli;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.local.PekkoManifests;

/**
 * Work a command that runs jobs would do later on its own thread, started early on another: the
 * actor system's configuration (parsing the {@code reference.conf} files of the class path that
 * a local actor system reads, see {@code PekkoManifests}) is cached per class loader, so parsing it while the command line is parsed and logging
 * set up takes it off the path to the first job. Only an optimisation: a failure here is
 * ignored, and the same call on the main thread simply does the work (or waits for this one).
 */
final class StartupWarmer {
  private StartupWarmer() {}

  /** Starts warming for commands that start a cluster; returns the (daemon) thread, or null. */
  static Thread startFor(String[] args) {
    if (args.length == 0 || !(args[0].equals("submit") || args[0].equals("examples"))) {
      return null;
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Thread t = new Thread(() -> {
      try {
        // With the loader the local cluster gives its actor system and configuration: the
        // config library caches the parse for one class loader at a time.
        ConfigFactory.load(PekkoManifests.over(loader));
      } catch (RuntimeException | LinkageError e) {
        // The cluster start reads the configuration again and reports what is wrong.
      }
    }, "quern-warmup");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
