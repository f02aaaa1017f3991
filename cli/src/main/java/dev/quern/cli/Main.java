package dev.quern.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code quern} command. Exit codes: 0 success, 1 a failed job or driver or a bad jar, 2 a
 * command line that does not parse or asks for something impossible ({@link UsageException}).
 */
@Command(name = "quern", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Runs Quern batch jobs (MapReduce style).",
    subcommands = {SubmitCommand.class, ExamplesCommand.class, UiCommand.class,
        MasterProcessCommand.class, WorkerProcessCommand.class, ClusterCommand.class,
        ListCommand.class, StatusCommand.class, KillCommand.class, WaitCommand.class,
        LogsCommand.class})
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    StartupWarmer.startFor(args);
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it with their own streams. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setStopAtPositional(true);
    // The job commands take options after the job id ('quern wait job-0001 --json'); only the
    // commands that pass arguments on to a driver stop at the first positional.
    for (String name : new String[] {"list", "status", "kill", "wait", "logs"}) {
      cl.getSubcommands().get(name).setStopAtPositional(false);
    }
    cl.setExecutionExceptionHandler(Main::onError);
    cl.setParameterExceptionHandler(Main::onBadCommandLine);
    return cl;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "no command given: use submit, examples or ui");
  }

  private static int onError(Exception e, CommandLine cmd, ParseResult parsed) {
    if (ExitGuard.exiting()) {
      // The JVM is exiting under the command (System.exit, a signal): the guard said why.
      return 1;
    }
    if (e instanceof UsageException) {
      cmd.getErr().println("quern: " + e.getMessage() + " (see '"
          + cmd.getCommandSpec().qualifiedName() + " --help')");
      cmd.getErr().flush();
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
    cmd.getErr().println("quern: " + Errors.oneLine(e));
    if (verbose(parsed)) {
      if (e instanceof JobFailedException j && j.details() != null) {
        cmd.getErr().println(j.details());
      } else {
        e.printStackTrace(cmd.getErr());
      }
    }
    cmd.getErr().flush();
    return 1;
  }

  private static int onBadCommandLine(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("quern: " + Errors.firstLine(e.getMessage()) + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help')");
    cmd.getErr().flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
