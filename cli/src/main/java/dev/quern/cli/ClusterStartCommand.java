package dev.quern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.master.cluster.ClusterHttp;
import dev.quern.worker.security.CredentialsInit;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quern cluster start}: launches the masters and workers as processes of their own (the
 * same java and class path as this one; they outlive this command), waits until a leader is
 * elected and every worker registered with it, writes {@code DIR/address} and prints the
 * {@code quern://} address last. On failure it kills what it launched and names the process
 * whose log tells why.
 */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Starts a cluster on this machine: masters and workers as processes of their own, logs "
            + "and data under --dir. Returns once a leader is elected and every worker has "
            + "registered; prints the cluster's quern:// address (also written to DIR/address)."})
final class ClusterStartCommand implements Callable<Integer> {
  @Option(names = "--masters", paramLabel = "N", defaultValue = "3", description = "Masters (default ${DEFAULT-VALUE}; 3 or 5 survive 1 or 2 failures).")
  int masters;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Workers (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--slots", paramLabel = "N", defaultValue = "2", description = "Slots per worker (default ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--dir", paramLabel = "DIR", description = "Logs, data, pids and the address (default ~/.quern/cluster).")
  Path dir;

  @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file every process reads (quern.master, quern.worker, pekko).")
  Path config;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "90", description = "How long to wait for the leader and the workers (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--java-option", paramLabel = "OPTION", description = "A JVM option for every process (repeatable), after this JVM's own.")
  List<String> javaOptions = new ArrayList<>();

  @Option(names = {"-v", "--verbose"}, description = "Processes log everything's INFO lines.")
  boolean verbose;

  @Option(names = "--secure", description = "Give every process the cluster's credentials in "
      + "DIR/security (made by 'quern cluster init' on the first start, kept after): Artery over "
      + "TLS with mutual authentication.")
  boolean secure;

  @Spec CommandSpec spec;

  // Made in call(): picocli builds every command object at start-up, and an HttpClient loads the
  // TLS stack (about 0.6 s of every quern command, --version included).
  private ClusterHttpClient http;
  private final Map<ClusterDir.Proc, Process> launched = new LinkedHashMap<>();
  private final Map<String, String> workerAddresses = new HashMap<>();
  /** The credentials every process gets ({@code --secure}), or null. */
  private Path security;
  /** Where {@code --secure} keeps the credentials, under DIR. */
  static final String SECURITY = "security";

  @Override
  public Integer call() throws IOException {
    if (masters < 1 || workers < 0 || slots < 1 || timeoutSeconds < 1) {
      throw new CliException("need --masters >= 1, --workers >= 0, --slots >= 1, --timeout >= 1");
    }
    ClusterDir cd = new ClusterDir(dir == null ? ClusterDir.defaultDir() : dir);
    if (cd.exists()) {
      for (ClusterDir.Proc p : cd.read()) {
        if (p.alive()) {
          throw new CliException("a cluster already runs in " + cd.dir + " (" + p.kind() + " " + p.id()
              + " is pid " + p.pid() + "): 'quern cluster stop --dir " + cd.dir + "' first");
        }
      }
    }
    Path configFile = null;
    if (config != null) {
      configFile = config.toAbsolutePath();
      if (!Files.isRegularFile(configFile)) {
        throw new CliException("--config " + config + ": no such file");
      }
    }
    Files.createDirectories(cd.logs());
    Files.deleteIfExists(cd.dir.resolve(ClusterDir.ADDRESS));
    if (secure) {
      security = cd.dir.resolve(SECURITY).toAbsolutePath();
      if (!CredentialsInit.exists(security)) {
        try {
          CredentialsInit.create(security, List.of());
        } catch (IllegalArgumentException e) {
          throw new CliException(e.getMessage(), e);
        }
      }
    }
    http = new ClusterHttpClient(security == null ? dev.quern.worker.security.ClusterAccess.NONE
        : dev.quern.worker.security.ClusterAccess.fromDir(security));
    PrintWriter out = spec.commandLine().getOut();
    try {
      return start(cd, configFile, out);
    } catch (RuntimeException e) {
      killLaunched();
      cd.write(procs());
      throw e;
    }
  }

  private int start(ClusterDir cd, Path configFile, PrintWriter out) throws IOException {
    int[] ports = FreePorts.choose(2 * masters);
    List<String> ids = new ArrayList<>();
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < masters; i++) {
      ids.add("m" + (i + 1));
      peers.append(i == 0 ? "" : ",").append("m").append(i + 1).append("=127.0.0.1:").append(ports[i]);
    }
    List<String> raftAddresses = new ArrayList<>();
    List<String> httpAddresses = new ArrayList<>();
    for (int i = 0; i < masters; i++) {
      String raft = "127.0.0.1:" + ports[i];
      String httpAddress = "127.0.0.1:" + ports[masters + i];
      raftAddresses.add(raft);
      httpAddresses.add(httpAddress);
      List<String> args = new ArrayList<>(List.of("master", "--id", ids.get(i),
          "--data", cd.dir.resolve(ids.get(i)).toString(), "--raft", raft, "--http", httpAddress,
          "--peers", peers.toString()));
      launch(cd, "master", ids.get(i), raft, httpAddress, args, configFile);
    }
    for (int i = 1; i <= workers; i++) {
      String id = "w" + i;
      List<String> args = new ArrayList<>(List.of("worker", "--id", id,
          "--masters", String.join(",", raftAddresses), "--slots", Integer.toString(slots),
          "--master-http", String.join(",", httpAddresses),
          "--data", cd.dir.resolve(id).toString()));
      launch(cd, "worker", id, "", "", args, configFile);
    }
    String[] leader = awaitUp(cd);
    String address = "quern://" + launched.keySet().stream().filter(p -> p.kind().equals("master"))
        .map(ClusterDir.Proc::http).collect(Collectors.joining(","));
    cd.writeAddress(address);
    out.println("Quern cluster: " + masters + " master(s), " + workers + " worker(s); leader "
        + leader[0] + " (term " + leader[1] + "); logs and data in " + cd.dir);
    out.println("Stop it with: quern cluster stop --dir " + cd.dir);
    out.println(address);
    out.flush();
    return 0;
  }

  private void launch(ClusterDir cd, String kind, String id, String address, String httpAddress,
      List<String> args, Path configFile) throws IOException {
    List<String> cmd = javaCommand();
    cmd.addAll(args);
    if (configFile != null) {
      cmd.addAll(List.of("--config", configFile.toString()));
    }
    if (verbose) {
      cmd.add("--verbose");
    }
    if (security != null) {
      cmd.addAll(List.of("--security", security.toString()));
    }
    Path log = cd.logs().resolve(id + ".log");
    Files.deleteIfExists(log);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    launched.put(new ClusterDir.Proc(kind, id, p.pid(), ClusterDir.startedOf(p.toHandle()),
        address, httpAddress, log), p);
    cd.write(procs()); // a failed start can still be stopped by pid
  }

  /**
   * The java of this JVM with its options (its heap, class-data sharing, -D settings; not a
   * debugger or an agent, nor a class-list dump of bin/quern's first run), and its class path.
   * Under setsid when there is one, so a hang-up of this terminal does not reach the cluster.
   */
  private List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!(a.startsWith("-agentlib") || a.startsWith("-javaagent") || a.startsWith("-Xrunjdwp")
          || a.startsWith("-Xdebug") || a.contains("DumpLoadedClassList")
          || a.contains("ArchiveClassesAtExit") || a.startsWith("-Dquern.cds.mark"))) {
        cmd.add(a);
      }
    }
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    return cmd;
  }

  /** Waits for one leader that every master follows, then for every worker at it; {leader, term}. */
  private String[] awaitUp(ClusterDir cd) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    List<ClusterDir.Proc> masterProcs = launched.keySet().stream()
        .filter(p -> p.kind().equals("master")).toList();
    Set<String> workerIds = launched.keySet().stream().filter(p -> p.kind().equals("worker"))
        .map(ClusterDir.Proc::id).collect(Collectors.toSet());
    String waitingFor = "a leader";
    while (true) {
      for (Map.Entry<ClusterDir.Proc, Process> e : launched.entrySet()) {
        if (!e.getValue().isAlive()) {
          fail(e.getKey(), "exited with status " + e.getValue().exitValue()
              + " before the cluster was up");
        }
      }
      Optional<String[]> leader = agreedLeader(masterProcs);
      if (leader.isPresent()) {
        ClusterDir.Proc lp = masterProcs.stream().filter(p -> p.id().equals(leader.get()[0]))
            .findFirst().orElseThrow();
        Optional<ClusterHttpClient.Answer> a = http.get(lp.http(), ClusterHttp.WORKERS);
        Set<String> registered = new HashSet<>();
        if (a.isPresent() && a.get().status() == 200) {
          for (JsonNode w : a.get().body().path("workers")) {
            registered.add(w.path("id").asText());
            workerAddresses.put(w.path("id").asText(), w.path("address").asText());
          }
        }
        if (registered.containsAll(workerIds)) {
          cd.write(procs());
          return leader.get();
        }
        Set<String> missing = new HashSet<>(workerIds);
        missing.removeAll(registered);
        waitingFor = "worker(s) " + new java.util.TreeSet<>(missing) + " to register with leader "
            + leader.get()[0];
      }
      if (System.nanoTime() > deadline) {
        throw new CliException("no cluster within " + timeoutSeconds + " s: still waiting for "
            + waitingFor + "; logs in " + cd.logs());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while waiting for the cluster");
      }
    }
  }

  /** The launched processes, workers with the addresses the leader reported. */
  private List<ClusterDir.Proc> procs() {
    List<ClusterDir.Proc> out = new ArrayList<>();
    for (ClusterDir.Proc p : launched.keySet()) {
      String a = p.kind().equals("worker") ? workerAddresses.get(p.id()) : null;
      out.add(a == null ? p : p.withAddress(a));
    }
    return out;
  }

  /** {leader id, term} if every master answers and all agree on one leader that says it leads. */
  private Optional<String[]> agreedLeader(List<ClusterDir.Proc> masterProcs) {
    String leader = null;
    long term = -1;
    int leaders = 0;
    for (ClusterDir.Proc p : masterProcs) {
      Optional<ClusterHttpClient.Answer> a = http.get(p.http(), ClusterHttp.STATUS);
      if (a.isEmpty() || a.get().status() != 200) {
        return Optional.empty();
      }
      JsonNode s = a.get().body();
      String l = s.path("leaderId").asText();
      long t = s.path("term").asLong();
      if (l.isEmpty() || (leader != null && (!leader.equals(l) || term != t))) {
        return Optional.empty();
      }
      leader = l;
      term = t;
      if (s.path("role").asText().equals("LEADER")) {
        if (!s.path("id").asText().equals(l)) {
          return Optional.empty();
        }
        leaders++;
      }
    }
    return leaders == 1 ? Optional.of(new String[] {leader, Long.toString(term)}) : Optional.empty();
  }

  private void fail(ClusterDir.Proc p, String what) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("--- last lines of " + p.log() + ":");
    err.println(ClusterStatusCommand.tail(p.log(), 15));
    err.flush();
    throw new CliException(p.kind() + " " + p.id() + " (pid " + p.pid() + ") " + what
        + "; its log: " + p.log());
  }

  /** SIGKILL to every launched process, and a bounded wait for each to go. */
  private void killLaunched() {
    for (Process p : launched.values()) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : launched.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    spec.commandLine().getErr().println("quern: stopped the " + launched.size()
        + " process(es) it had started; logs in " + launched.keySet().stream().findFirst()
        .map(p -> p.log().getParent().toString()).orElse("(none)"));
  }
}
