package dev.quern.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quern cluster init|start|status|stop}: a whole cluster of processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Starts, lists and stops a cluster of master and worker processes on this machine.",
    subcommands = {ClusterInitCommand.class, ClusterStartCommand.class, ClusterStatusCommand.class, ClusterStopCommand.class})
final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "no cluster command given: use init, start, status or stop");
  }
}
