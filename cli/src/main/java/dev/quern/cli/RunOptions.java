package dev.quern.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of every command that runs jobs: where, with what extra configuration, how they are
 * watched, how loud.
 */
final class RunOptions {
  static final int DEFAULT_UI_PORT = 8080;

  @Option(names = "--master", paramLabel = "local[N]|quern://HOST:PORT,...", defaultValue = "local",
      description = "Where jobs run: local[N] starts N workers inside this process; "
          + "local or local[*] starts one per core; quern://HOST:PORT,... submits to a cluster "
          + "through its masters' HTTP addresses (default: ${DEFAULT-VALUE}).")
  String master;

  /** Whether {@code --master} names a cluster of master processes. */
  boolean onCluster() {
    return master.trim().startsWith("quern://");
  }

  @Option(names = "-D", paramLabel = "KEY=VALUE", preprocessor = KeyValue.class,
      description = "A configuration entry for every job the driver submits; "
          + "it overrides the job's own value, e.g. -Dquern.reduce.tasks=4. Repeatable.")
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

  /** Refuses a {@code -D} entry without {@code KEY=} in one line (picocli's own is garbled). */
  static final class KeyValue implements IParameterPreprocessor {
    @Override
    public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec option,
        Map<String, Object> info) {
      String entry = args.isEmpty() ? null : args.peek();
      if (entry == null || entry.indexOf('=') <= 0) {
        String got = "-D needs KEY=VALUE, got " + (entry == null ? "nothing" : "'" + entry + "'");
        throw new ParameterException(command.commandLine(), entry != null
            && entry.startsWith("=") ? got + ": the key is empty"
            : got + ": write -D" + (entry == null || entry.isEmpty() ? "KEY" : entry)
                + "=VALUE (e.g. -Dquern.speculative=true)");
      }
      return false;
    }
  }
}
