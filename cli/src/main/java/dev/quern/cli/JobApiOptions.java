package dev.quern.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.client.ApiErrorException;
import dev.quern.master.client.ClusterClient;
import dev.quern.master.client.ClusterUnavailableException;
import dev.quern.master.client.MasterList;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What {@code quern list}, {@code status}, {@code kill} and {@code wait} share: where the masters
 * are, {@code --json}, how long to retry, and the exit codes:
 *
 * <ul>
 *   <li>0: done (wait: the job SUCCEEDED; kill: the job is no longer running);
 *   <li>1: wait: the job ended FAILED or KILLED;
 *   <li>2: a bad command line (picocli's code for usage errors);
 *   <li>3: no such job;
 *   <li>4: no master answered within {@code --retry-for}, or one answered with an error;
 *   <li>5: wait: {@code --timeout} passed while the job still runs.
 * </ul>
 */
final class JobApiOptions {
  static final int OK = 0;
  static final int JOB_NOT_SUCCEEDED = 1;
  static final int NO_SUCH_JOB = 3;
  static final int UNREACHABLE = 4;
  static final int TIMED_OUT = 5;

  static final String EXIT_CODES = "Exit codes: 0 done, 1 (wait) the job FAILED or was KILLED, "
      + "2 bad command line, 3 no such job, 4 no master answered or one answered an error, "
      + "5 (wait) --timeout passed.";

  /**
   * Built on first use: picocli makes this mixin for every command at start-up, and Jackson's
   * classes would cost every {@code quern} command (even {@code --version}) about 0.1 s of CPU.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Option(names = "--master", paramLabel = "URL", description = {
      "quern://HOST:PORT,... (a cluster's masters: their HTTP ports, as 'quern cluster start' "
          + "prints) or http://HOST:PORT (a local run's UI).",
      "Default: the address of the cluster in ~/.quern/cluster."})
  String master;

  @Option(names = "--json", description = "Print JSON documents instead of text.")
  boolean json;

  @Option(names = "--retry-for", paramLabel = "SECONDS", defaultValue = "30", description =
      "How long to keep trying the masters (a leader election takes a few seconds; default "
          + "${DEFAULT-VALUE}).")
  int retryForSeconds;

  /** The client of the masters; made here, in the command's call(), never at start-up. */
  ClusterClient client() {
    if (retryForSeconds < 0) {
      throw new UsageException("--retry-for must be 0 or more seconds, got " + retryForSeconds);
    }
    String address = master != null ? master : defaultAddress();
    MasterList masters;
    try {
      masters = MasterList.parse(address);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--master: " + e.getMessage());
    }
    return ClusterClient.create(masters, ClusterClient.Settings.defaults()
        .withRetryFor(Duration.ofSeconds(retryForSeconds)),
        ClientToken.access(ClusterDir.defaultDir()));
  }

  private static String defaultAddress() {
    Path file = ClusterDir.defaultDir().resolve(ClusterDir.ADDRESS);
    try {
      if (Files.isRegularFile(file)) {
        String a = Files.readString(file).trim();
        if (!a.isEmpty()) {
          return a;
        }
      }
    } catch (IOException e) {
      throw new UsageException("no --master given, and cannot read " + file + ": " + e.getMessage());
    }
    throw new UsageException("no --master given, and no cluster address in " + file
        + ": give --master quern://HOST:PORT,... or http://HOST:PORT");
  }

  /** The body of a command, which may fail talking to the masters. */
  interface Body {
    int run(ClusterClient client, PrintWriter out) throws IOException, InterruptedException;
  }

  /**
   * Runs {@code body} with a client and stdout; unreachable masters and error answers become
   * one line on stderr and exit code {@value #UNREACHABLE}.
   */
  int run(CommandSpec spec, Body body) throws IOException, InterruptedException {
    ClusterClient client = client();
    PrintWriter out = spec.commandLine().getOut();
    try {
      return body.run(client, out);
    } catch (ClusterUnavailableException | ApiErrorException e) {
      out.flush();
      return fail(spec, e.getMessage(), UNREACHABLE);
    } finally {
      out.flush();
    }
  }

  /** Prints {@code quern: message} on stderr and returns {@code code}. */
  static int fail(CommandSpec spec, String message, int code) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("quern: " + message);
    err.flush();
    return code;
  }

  static void printJson(PrintWriter out, Object doc) throws JsonProcessingException {
    out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
  }
}
