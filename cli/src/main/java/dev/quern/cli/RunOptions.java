package dev.quern.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of every command that runs jobs: where, with what extra configuration, how they are
 * watched, how loud.
 */
final class RunOptions {
  static final int DEFAULT_UI_PORT = 8080;

  @Option(names = "--master", paramLabel = "local[N]", defaultValue = "local",
      description = "Where jobs run: local[N] starts N workers inside this process; "
          + "local or local[*] starts one per core (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "-D", paramLabel = "KEY=VALUE",
      description = "A configuration entry for every job the driver submits; "
          + "it overrides the job's own value. Repeatable.")
  Map<String, String> config = new LinkedHashMap<>();

  @Option(names = "--ui-port", paramLabel = "PORT", defaultValue = "" + DEFAULT_UI_PORT,
      description = "Serve the web UI on 127.0.0.1:PORT while the jobs run (the next free port "
          + "if it is taken; default: ${DEFAULT-VALUE}); 0 turns the UI and the saving of "
          + "finished jobs off.")
  int uiPort;

  @Option(names = "--history", paramLabel = "DIR",
      description = "Where finished jobs are saved for 'quern ui' (default: -D"
          + HistoryDirs.PROPERTY + " given to the JVM, else ~/.quern/history).")
  Path history;

  @Option(names = {"-v", "--verbose"},
      description = "Log what the engine does and show stack traces of errors.")
  boolean verbose;

  /** The checked UI port: 0 (off) or 1 to 65535. */
  int uiPort() {
    return UiPorts.check("--ui-port", uiPort);
  }

  Path historyDir() {
    return HistoryDirs.resolve(history);
  }
}
