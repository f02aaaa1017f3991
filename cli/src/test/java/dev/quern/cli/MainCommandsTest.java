package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * {@link Main#commandLine(String[])} builds only the subcommand a run names (reading every
 * command's annotations cost a small job some 15% of its CPU), and parses and helps exactly as
 * the command line with every subcommand does.
 */
class MainCommandsTest {
  private static final List<String> ALL = List.of("submit", "examples", "ui", "master", "worker",
      "cluster", "list", "status", "kill", "wait", "logs");

  @Test
  void aRunBuildsOnlyTheSubcommandItNames() {
    assertThat(Main.commandLine(new String[] {"examples", "--ui-port", "0", "wordcount", "in",
        "out"}).getSubcommands().keySet()).containsExactly("examples");
    assertThat(Main.commandLine(new String[] {"submit", "app.jar"}).getSubcommands().keySet())
        .containsExactly("submit");
    CommandLine cluster = Main.commandLine(new String[] {"cluster", "start", "--help"});
    assertThat(cluster.getSubcommands().keySet()).containsExactly("cluster");
    assertThat(cluster.getSubcommands().get("cluster").getSubcommands().keySet())
        .containsExactlyInAnyOrder("init", "start", "status", "stop");
  }

  @Test
  void noOrAnUnknownSubcommandGetsThemAllInTheHelpsOrder() {
    for (String[] args : List.of(new String[0], new String[] {"--help"},
        new String[] {"exmaples"}, new String[] {"--version"})) {
      assertThat(Main.commandLine(args).getSubcommands().keySet()).containsExactlyElementsOf(ALL);
    }
    assertThat(Main.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(ALL);
    String help = Main.commandLine().getUsageMessage();
    int at = -1;
    for (String name : ALL) {
      int i = help.indexOf("  " + name + " ", at + 1);
      assertThat(i).as("%s listed after the one before it in:%n%s", name, help).isGreaterThan(at);
      at = i;
    }
  }

  @Test
  void eachSubcommandParsesAndHelpsAsInTheFullCommandLine() {
    Map<String, String[]> runs = Map.of(
        "examples", new String[] {"examples", "--ui-port", "0", "-D", "a=b", "wordcount", "in",
            "out", "--not-ours"},
        "submit", new String[] {"submit", "--master", "local[3]", "app.jar", "x", "-y"},
        "wait", new String[] {"wait", "job-0001", "--master", "quern://h:1"},
        "logs", new String[] {"logs", "job-0001", "--task", "m-00002", "--stream", "log"},
        "cluster", new String[] {"cluster", "status", "--dir", "d"});
    for (Map.Entry<String, String[]> run : runs.entrySet()) {
      String[] args = run.getValue();
      ParseResult full = Main.commandLine().parseArgs(args);
      ParseResult lazy = Main.commandLine(args).parseArgs(args);
      assertThat(describe(lazy)).as(run.getKey()).isEqualTo(describe(full));
    }
    for (String name : ALL) {
      assertThat(Main.commandLine(new String[] {name}).getSubcommands().get(name)
          .getUsageMessage()).as(name).isEqualTo(
              Main.commandLine().getSubcommands().get(name).getUsageMessage());
    }
  }

  @Test
  void aSubcommandsUsageErrorIsTheSame() {
    String[] args = {"examples", "--ui-port"};
    assertThat(run(Main.commandLine(args), args)).isEqualTo(run(Main.commandLine(), args))
        .contains("quern examples --help");
  }

  /** The chain of matched commands with their matched options and positionals. */
  private static String describe(ParseResult p) {
    StringBuilder s = new StringBuilder();
    for (ParseResult r = p; r != null; r = r.subcommand()) {
      s.append(r.commandSpec().qualifiedName()).append(" options ");
      r.matchedOptions().forEach(o -> s.append(o.longestName()).append('=')
          .append(o.stringValues()).append(' '));
      s.append("positionals ");
      r.matchedPositionals().forEach(a -> s.append(a.stringValues()).append(' '));
      s.append("unmatched ").append(r.unmatched()).append('\n');
    }
    return s.toString();
  }

  private static String run(CommandLine cl, String[] args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return "exit " + code + "\n" + out + "\n" + err;
  }
}
