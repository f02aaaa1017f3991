package dev.quern.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quern cluster stop}: SIGTERM to every live process of the cluster in DIR (by the pids
 * {@code start} recorded, each checked against its recorded start time so that a recycled pid is
 * left alone), then SIGKILL to any still alive after {@code --timeout}. Fails (exit 1) only if a
 * process outlives SIGKILL too.
 */
@Command(name = "stop", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Stops every process of the cluster in --dir: SIGTERM, then SIGKILL after --timeout.")
final class ClusterStopCommand implements Callable<Integer> {
  @Option(names = "--dir", paramLabel = "DIR", description = "The cluster's directory (default ~/.quern/cluster).")
  Path dir;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "15", description = "How long SIGTERM has before SIGKILL (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ClusterDir cd = new ClusterDir(dir == null ? ClusterDir.defaultDir() : dir);
    if (!cd.exists()) {
      throw new CliException("no cluster in " + cd.dir + " (no " + ClusterDir.PROCESSES + " file)");
    }
    List<ClusterDir.Proc> procs = cd.read();
    List<ProcessHandle> live = new ArrayList<>();
    for (ClusterDir.Proc p : procs) {
      Optional<ProcessHandle> h = p.handle();
      h.ifPresent(ProcessHandle::destroy);
      h.ifPresent(live::add);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int killed = 0;
    for (ProcessHandle h : live) {
      if (!awaitGone(h, deadline - System.nanoTime())) {
        h.destroyForcibly();
        killed++;
      }
    }
    List<String> survivors = new ArrayList<>();
    for (ProcessHandle h : live) {
      if (!awaitGone(h, TimeUnit.SECONDS.toNanos(10))) {
        survivors.add(Long.toString(h.pid()));
      }
    }
    if (!survivors.isEmpty()) {
      throw new CliException("pid(s) " + survivors + " of the cluster in " + cd.dir + " survived SIGKILL");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Stopped " + live.size() + " process(es) of the cluster in " + cd.dir
        + (killed == 0 ? "" : " (" + killed + " did not end on SIGTERM within " + timeoutSeconds
        + " s and were killed)") + (procs.size() > live.size() ? "; " + (procs.size() - live.size())
        + " had already ended" : ""));
    out.flush();
    return 0;
  }

  private static boolean awaitGone(ProcessHandle h, long nanos) {
    try {
      h.onExit().get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !h.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !h.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !h.isAlive();
    }
  }
}
