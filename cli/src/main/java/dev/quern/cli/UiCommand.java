package dev.quern.cli;

import dev.quern.master.http.UiServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quern ui}: serves the jobs saved by earlier runs, with the same pages and API as the live
 * UI, until Ctrl-C (or, in-process, until its thread is interrupted). {@code quern ui passwd}
 * ({@link UiPasswdCommand}) adds a user to the UI's password file.
 */
@Command(name = "ui", mixinStandardHelpOptions = true, versionProvider = Version.class,
    subcommands = UiPasswdCommand.class,
    description = {
        "Serves the web UI over the jobs that earlier 'quern submit' and 'quern examples' runs "
            + "saved, on 127.0.0.1, until Ctrl-C."})
final class UiCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + RunOptions.DEFAULT_UI_PORT,
      description = "The port (the next free one if it is taken; 0 picks any free port; "
          + "default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--history", paramLabel = "DIR",
      description = "Where the jobs were saved (default: -D" + HistoryDirs.PROPERTY
          + " given to the JVM, else ~/.quern/history).")
  Path history;

  @Option(names = {"-v", "--verbose"}, description = "Log what the server does.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Logging.configure(verbose);
    UiPorts.check("--port", port);
    Path dir = HistoryDirs.resolve(history);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new CliException("history " + dir + " is not a directory");
    }
    UiServer ui;
    try {
      ui = UiServer.startHistory(dir, port);
    } catch (RuntimeException e) {
      throw new CliException("cannot start the web UI from port " + port + ": "
          + (e.getMessage() == null ? e.toString() : Errors.firstLine(e.getMessage())), e);
    }
    Thread hook = new Thread(ui::close, "quern-ui-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Quern UI: " + ui.url() + " (jobs saved in " + dir
        + (Files.isDirectory(dir) ? "" : ", none yet") + "; Ctrl-C stops it)");
    out.flush();
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return 0; // the JVM is exiting: the hook closes the server
    }
    ui.close();
    return 0;
  }
}
