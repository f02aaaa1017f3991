package dev.quern.cli;

import com.typesafe.config.Config;
import dev.quern.master.cluster.MasterProcess;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.security.Security;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quern master}: one master process of a cluster, until SIGTERM. Prints one line
 * {@code quern master ID ready: raft HOST:PORT, http http://HOST:PORT (pid N)} once it serves.
 */
@Command(name = "master", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Runs one master of a cluster: a Raft node (write-ahead log under --data) over Pekko "
            + "Artery with the other masters, and an HTTP endpoint (GET /api/cluster, "
            + "/api/cluster/workers). Runs until SIGTERM.",
        "Every flag is also a key of the quern.master section of the --config file (flags win). "
            + "Binds 127.0.0.1 only (--unsafe-allow-private-bind: isolated test networks)."})
final class MasterProcessCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file (quern.master { ... }, pekko { ... }).")
  Path config;

  @Option(names = "--id", paramLabel = "ID", description = "This master's id, one of --peers (e.g. m1).")
  String id;

  @Option(names = "--data", paramLabel = "DIR", description = "The master's directory (Raft log, snapshots).")
  String data;

  @Option(names = "--raft", paramLabel = "HOST:PORT", description = "The Raft (Artery) address to bind (default: its --peers entry).")
  String raft;

  @Option(names = "--http", paramLabel = "HOST:PORT", description = "The HTTP address to bind (port 0: any; default 127.0.0.1:0).")
  String http;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...", description = "Every master's Raft address, this one included.")
  String peers;

  @Option(names = "--tick", paramLabel = "DURATION", description = "Raft tick (default 100ms).")
  String tick;

  @Option(names = "--election-ticks", paramLabel = "N", description = "Election timeout in ticks (default 10).")
  String electionTicks;

  @Option(names = "--heartbeat-ticks", paramLabel = "N", description = "Raft heartbeat in ticks (default 1).")
  String heartbeatTicks;

  @Option(names = "--snapshot-every", paramLabel = "N", description = "Snapshot after N applied entries (default 10000).")
  String snapshotEvery;

  @Option(names = "--worker-timeout", paramLabel = "DURATION", description = "A worker silent this long is dead (default 10s).")
  String workerTimeout;

  @Option(names = "--hello-interval", paramLabel = "DURATION", description = "How often masters tell each other their HTTP address (default 1s).")
  String helloInterval;

  @Option(names = "--leader-transfer-timeout", paramLabel = "DURATION", description = "On SIGTERM a leader hands leadership to an up-to-date follower first, waiting at most this long (default 5s; 0s: no handoff).")
  String leaderTransferTimeout;

  @Option(names = "--retention-max-jobs", paramLabel = "N", description = "The most ended jobs the replicated book keeps; older ones are served from DATA/history (default 1000).")
  String retentionMaxJobs;

  @Option(names = "--retention-max-age", paramLabel = "DURATION", description = "An ended job leaves the replicated book this long after it ended; it stays in DATA/history (default 24h).")
  String retentionMaxAge;

  @Option(names = "--unsafe-allow-private-bind", description = "UNSAFE, for isolated test "
      + "networks only: also bind and dial RFC 1918 addresses (10/8, 172.16/12, 192.168/16), "
      + "with no authentication.")
  boolean allowPrivateBind;

  @Option(names = "--join", description = "Join the running cluster at --cluster instead of "
      + "founding one: with an empty --data, this master starts, asks the leader to add it (as a "
      + "learner, promoted to voter once caught up) and says ready once it votes. A new id is "
      + "fine: every master learns it and its addresses from the log.")
  boolean join;

  @Option(names = "--remove", paramLabel = "ID", description = "Remove master ID from the running "
      + "cluster at --cluster (one change at a time) and exit; starts no master.")
  String remove;

  @Option(names = "--cluster", paramLabel = "quern://HOST:PORT,...", description = "The masters' "
      + "HTTP addresses, for --join and --remove (as 'quern cluster start' prints them).")
  String cluster;

  @Option(names = "--retry-for", paramLabel = "SECONDS", defaultValue = "60", description = "How "
      + "long --join and --remove keep asking while no leader takes the change (default "
      + "${DEFAULT-VALUE}).")
  int retryFor;

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
    if (remove != null) {
      if (cluster == null) {
        throw new ParameterException(spec.commandLine(), "--remove needs --cluster");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(MembershipClient.describe(new MembershipClient().change(
          MembershipClient.addresses("--cluster", cluster), "remove", remove.trim(),
          java.time.Duration.ofSeconds(retryFor))));
      out.flush();
      return 0;
    }
    if (join && cluster == null) {
      throw new ParameterException(spec.commandLine(), "--join needs --cluster");
    }
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("id", id);
    flags.put("data", data);
    flags.put("raft", raft);
    flags.put("http", http);
    flags.put("peers", peers == null ? null : ProcessConfigs.pairs("--peers", peers));
    flags.put("tick", tick);
    flags.put("election-ticks", electionTicks);
    flags.put("heartbeat-ticks", heartbeatTicks);
    flags.put("snapshot-every", snapshotEvery);
    flags.put("worker-timeout", workerTimeout);
    flags.put("hello-interval", helloInterval);
    flags.put("leader-transfer-timeout", leaderTransferTimeout);
    flags.put("retention.max-jobs", retentionMaxJobs);
    flags.put("retention.max-age", retentionMaxAge);
    flags.put(Security.KEY, security);
    // Only when given: a file's "unsafe-allow-private-bind = true" is not undone by its absence.
    flags.put(Loopback.ALLOW_PRIVATE_KEY, allowPrivateBind ? true : null);
    Config effective = ProcessConfigs.load(config, MasterProcessConfig.SECTION, flags,
        MasterProcessConfig.defaults());
    PrintWriter out = spec.commandLine().getOut();
    if (printConfig) {
      out.print(ProcessConfigs.render(effective, MasterProcessConfig.SECTION));
      // The web UI's login, which the master serves too: the file's keys over their defaults.
      out.print(ProcessConfigs.render(effective.withFallback(
          dev.quern.master.http.login.LoginSettings.defaultConfig()),
          dev.quern.master.http.login.LoginSettings.SECTION));
      out.flush();
      return 0;
    }
    MasterProcessConfig master;
    try {
      master = MasterProcessConfig.from(effective);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ProcessLogging.configure(verbose);
    if (effective.getBoolean(MasterProcessConfig.SECTION + "." + Loopback.ALLOW_PRIVATE_KEY)) {
      org.slf4j.LoggerFactory.getLogger(MasterProcessCommand.class).warn(Loopback.PRIVATE_WARNING);
    }
    MasterProcess process = join ? MasterProcess.join(master, effective)
        : MasterProcess.start(master, effective);
    Runtime.getRuntime().addShutdownHook(new Thread(process::close, "quern-master-shutdown"));
    if (join) {
      awaitVoter(process, master);
    }
    // https:// when secured: the only scheme such a master serves.
    out.println("quern master " + master.id() + " ready: raft " + master.raft() + ", http "
        + (master.security() == null ? "http" : "https") + "://" + process.httpAddress() + " (pid " + ProcessHandle.current().pid() + ")");
    out.flush();
    process.awaitTermination();
    return 0;
  }

  /** Asks the cluster to add this master, then waits until it votes (caught up, promoted). */
  private void awaitVoter(MasterProcess process, MasterProcessConfig master) {
    java.time.Duration bound = java.time.Duration.ofSeconds(retryFor);
    com.fasterxml.jackson.databind.JsonNode answer = new MembershipClient().join(
        MembershipClient.addresses("--cluster", cluster), master.id(), master.raft().toString(),
        process.raftId(), bound);
    org.slf4j.LoggerFactory.getLogger(MasterProcessCommand.class).info("--join: {}",
        MembershipClient.describe(answer));
    long self = process.raftId();
    long deadline = System.nanoTime() + bound.toNanos();
    while (!process.monitor().status().map(s -> s.voters().contains(self)).orElse(false)) {
      if (System.nanoTime() - deadline > 0) {
        throw new CliException("master " + master.id() + " was added but is not a voter after "
            + retryFor + " s (still catching up?); it stops");
      }
      try {
        Thread.sleep(100); // the node publishes its status every tick
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while joining");
      }
    }
  }
}
