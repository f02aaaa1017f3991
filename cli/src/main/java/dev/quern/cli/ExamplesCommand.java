package dev.quern.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quern examples}: lists the bundled example jobs, or runs one. */
@Command(name = "examples", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Lists the bundled example jobs, or runs one like 'quern submit' would.",
        "With no ARGS an example runs on a small built-in sample and prints where its output is."})
final class ExamplesCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The example.")
  String name;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "The example's arguments.")
  List<String> args = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Logging.configure(options.verbose);
    // A bad option is a usage error (exit 2) whether or not the jar is there.
    if (options.onCluster()) {
      ClusterDriverRun.checkAddress(options.master);
    } else {
      options.uiPort();
    }
    Path jar = ExamplesJar.locate();
    Map<String, ExamplesJar.Example> examples = ExamplesJar.catalogue(jar);
    PrintWriter out = spec.commandLine().getOut();
    if (name == null) {
      out.println("Examples in " + jar + ":");
      for (ExamplesJar.Example e : examples.values()) {
        out.printf("  %-14s %s%n", e.name(), e.description());
      }
      out.println("Run one with: quern examples NAME [ARGS...] (no ARGS: the built-in sample)");
      out.flush();
      return 0;
    }
    ExamplesJar.Example example = examples.get(name);
    if (example == null) {
      throw new CliException("no example named '" + name + "'; the examples are: "
          + String.join(", ", examples.keySet()));
    }
    AppJar app = AppJar.open(jar.toString());
    if (options.onCluster()) {
      return ClusterDriverRun.run(app, new AppJar.DriverCall(example.mainClass(), args), options,
          false, out, spec.commandLine().getErr());
    }
    return DriverRun.run(app, new AppJar.DriverCall(example.mainClass(), args), options, out,
        spec.commandLine().getErr());
  }
}
