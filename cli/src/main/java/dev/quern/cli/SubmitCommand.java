package dev.quern.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quern submit}: runs a job jar's driver against a cluster. */
@Command(name = "submit", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Runs the driver (main method) of a job jar; every job it submits runs on the cluster.",
        "The driver is MAIN-CLASS when the jar holds that class, else the manifest's Main-Class.",
        "Options go before APP.jar; everything after it is passed to the driver."})
final class SubmitCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @picocli.CommandLine.Option(names = "--detach",
      description = "With --master quern://...: print the id of the driver's first job once the "
          + "cluster accepted it, and return; the job runs on (follow it with quern wait JOB).")
  boolean detach;

  @Parameters(index = "0", paramLabel = "APP.jar", description = "The job jar.")
  String jar;

  @Parameters(index = "1..*", paramLabel = "[MAIN-CLASS] ARGS",
      description = "The driver class (optional) and its arguments.")
  List<String> rest = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Logging.configure(options.verbose);
    if (options.onCluster()) {
      ClusterDriverRun.checkAddress(options.master);
    } else if (detach) {
      throw new UsageException("--detach needs --master quern://...: a local cluster ends with "
          + "the command");
    } else {
      MasterAddress.parse(options.master);
      options.uiPort();
    }
    AppJar app = AppJar.open(jar);
    AppJar.DriverCall call = app.driverCall(rest);
    if (options.onCluster()) {
      return ClusterDriverRun.run(app, call, options, detach, spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }
    return DriverRun.run(app, call, options, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
