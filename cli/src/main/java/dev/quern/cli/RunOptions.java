package dev.quern.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of every command that runs jobs: where, with what extra configuration, how loud. */
final class RunOptions {
  @Option(names = "--master", paramLabel = "local[N]", defaultValue = "local",
      description = "Where jobs run: local[N] starts N workers inside this process; "
          + "local or local[*] starts one per core (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "-D", paramLabel = "KEY=VALUE",
      description = "A configuration entry for every job the driver submits; "
          + "it overrides the job's own value. Repeatable.")
  Map<String, String> config = new LinkedHashMap<>();

  @Option(names = {"-v", "--verbose"},
      description = "Log what the engine does and show stack traces of errors.")
  boolean verbose;
}
