package dev.quern.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quern cluster start|status|stop}: a whole cluster of processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Starts, lists and stops a cluster of master and worker processes on this machine.",
    subcommands = {ClusterStartCommand.class, ClusterStatusCommand.class, ClusterStopCommand.class})
final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "no cluster command given: use start, status or stop");
  }
}
