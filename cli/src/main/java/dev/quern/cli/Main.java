package dev.quern.cli;

import java.util.List;
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
    description = "Runs Quern batch jobs (MapReduce style).")
public final class Main implements Runnable {
  /**
   * The subcommands' names, in the order the help lists them. Added in code rather than named
   * in {@code @Command(subcommands = ...)}: picocli reads a command's annotations (options,
   * mixins, nested commands) as it is added, and reading all eleven took some 15% of the CPU of a
   * 64 KiB local job; a run needs only the one it names ({@link #commandLine(String[])}).
   */
  private static final List<String> COMMANDS = List.of("submit", "examples", "ui", "master",
      "worker", "cluster", "list", "status", "kill", "wait", "logs");

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    StartupWarmer.startFor(args);
    System.exit(commandLine(args).execute(args));
  }

  /** The configured command line with every subcommand (help, completion, tests). */
  public static CommandLine commandLine() {
    return build(COMMANDS);
  }

  /**
   * The command line that parses {@code args} as {@link #commandLine()} does: when its first
   * argument names a subcommand, with only that one (its nested ones included), else with all
   * (the top-level help, a mistyped name and its suggestions, no command).
   */
  public static CommandLine commandLine(String[] args) {
    if (args.length > 0 && COMMANDS.contains(args[0])) {
      return build(List.of(args[0]));
    }
    return commandLine();
  }

  /** A new instance of the subcommand {@code name}: only the one named is loaded. */
  private static Object command(String name) {
    return switch (name) {
      case "submit" -> new SubmitCommand();
      case "examples" -> new ExamplesCommand();
      case "ui" -> new UiCommand();
      case "master" -> new MasterProcessCommand();
      case "worker" -> new WorkerProcessCommand();
      case "cluster" -> new ClusterCommand();
      case "list" -> new ListCommand();
      case "status" -> new StatusCommand();
      case "kill" -> new KillCommand();
      case "wait" -> new WaitCommand();
      case "logs" -> new LogsCommand();
      default -> throw new IllegalArgumentException("no command " + name);
    };
  }

  private static CommandLine build(List<String> names) {
    CommandLine cl = new CommandLine(new Main());
    for (String name : names) {
      cl.addSubcommand(name, command(name));
    }
    cl.setStopAtPositional(true);
    // The job commands take options after the job id ('quern wait job-0001 --json'); only the
    // commands that pass arguments on to a driver stop at the first positional.
    for (String name : new String[] {"list", "status", "kill", "wait", "logs"}) {
      CommandLine sub = cl.getSubcommands().get(name);
      if (sub != null) {
        sub.setStopAtPositional(false);
      }
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
