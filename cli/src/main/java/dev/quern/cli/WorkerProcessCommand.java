package dev.quern.cli;

import com.typesafe.config.Config;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.security.Security;
import dev.quern.worker.cluster.WorkerProcess;
import dev.quern.worker.cluster.WorkerProcessConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quern worker}: one worker process of a cluster, until SIGTERM. Prints one line
 * {@code quern worker ID ready: artery HOST:PORT (pid N)} once it has bound.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Runs one worker of a cluster: registers with the leading master (any master of "
            + "--masters names it), heartbeats, and finds the new leader after a failover. "
            + "Runs until SIGTERM.",
        "Every flag is also a key of the quern.worker section of the --config file (flags win). "
            + "Binds 127.0.0.1 only (--unsafe-allow-private-bind: isolated test networks)."})
final class WorkerProcessCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file (quern.worker { ... }, pekko { ... }).")
  Path config;

  @Option(names = "--id", paramLabel = "ID", description = "Unique among the workers (default worker-PID).")
  String id;

  @Option(names = "--masters", paramLabel = "HOST:PORT,...", description = "The masters' Raft (Artery) addresses, as given to their --raft.")
  String masters;

  @Option(names = "--master-http", paramLabel = "HOST:PORT,...", description = "The masters' HTTP addresses, where the worker fetches stored job jars.")
  String masterHttp;

  @Option(names = "--slots", paramLabel = "N", description = "Task attempts at once (default 2).")
  String slots;

  @Option(names = "--data", paramLabel = "DIR", description = "The worker's directory.")
  String data;

  @Option(names = "--host", paramLabel = "HOST", description = "The Artery host to bind (default 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "The Artery port to bind (default 0: any).")
  String port;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "Heartbeat period (default 500ms).")
  String heartbeatInterval;

  @Option(names = "--leader-timeout", paramLabel = "DURATION", description = "Look for the leader again after no answer for this long (default 2s).")
  String leaderTimeout;

  @Option(names = "--unsafe-allow-private-bind", description = "UNSAFE, for isolated test "
      + "networks only: also bind and dial RFC 1918 addresses (10/8, 172.16/12, 192.168/16), "
      + "with no authentication.")
  boolean allowPrivateBind;

  @Option(names = "--security", paramLabel = "DIR", description = "The cluster's credentials "
      + "('quern cluster init --dir DIR'): Artery over TLS with mutual authentication.")
  String security;

  @Option(names = "--print-config", description = "Print the effective configuration and exit.")
  boolean printConfig;

  @Option(names = {"-v", "--verbose"}, description = "Log everything's INFO lines, not only Quern's.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("id", id);
    flags.put("masters", masters == null ? null : list(masters));
    flags.put("slots", slots);
    flags.put("master-http", masterHttp == null ? null : list(masterHttp));
    flags.put("data", data);
    flags.put("host", host);
    flags.put("port", port);
    flags.put("heartbeat-interval", heartbeatInterval);
    flags.put("leader-timeout", leaderTimeout);
    flags.put(Security.KEY, security);
    // Only when given: a file's "unsafe-allow-private-bind = true" is not undone by its absence.
    flags.put(Loopback.ALLOW_PRIVATE_KEY, allowPrivateBind ? true : null);
    Config effective = ProcessConfigs.load(config, WorkerProcessConfig.SECTION, flags,
        WorkerProcessConfig.defaults());
    PrintWriter out = spec.commandLine().getOut();
    if (printConfig) {
      out.print(ProcessConfigs.render(effective, WorkerProcessConfig.SECTION));
      out.flush();
      return 0;
    }
    WorkerProcessConfig worker;
    try {
      worker = WorkerProcessConfig.from(effective);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ProcessLogging.configure(verbose);
    WorkerProcess process = WorkerProcess.start(worker, effective);
    Runtime.getRuntime().addShutdownHook(new Thread(process::close, "quern-worker-shutdown"));
    out.println("quern worker " + worker.id() + " ready: artery " + process.address() + " (pid "
        + ProcessHandle.current().pid() + ")");
    out.flush();
    process.awaitTermination();
    return 0;
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
