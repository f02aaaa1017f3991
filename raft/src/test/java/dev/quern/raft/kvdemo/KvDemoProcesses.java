package dev.quern.raft.kvdemo;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Three (or n) {@link KvDemoMain} JVMs on 127.0.0.1, each with its own data directory and log
 * file under {@code root}. Starting, SIGKILLing and restarting them; polling their STATUS.
 */
final class KvDemoProcesses implements AutoCloseable {

  private final Path root;
  private final int n;
  private final List<String> jvmFlags;
  private final List<String> extraArgs;
  private final int[] raftPorts;
  private final int[] clientPorts;
  private final Process[] processes;

  KvDemoProcesses(Path root, int n, List<String> jvmFlags, List<String> extraArgs) throws IOException {
    this.root = root;
    this.n = n;
    this.jvmFlags = jvmFlags;
    this.extraArgs = extraArgs;
    raftPorts = freePorts(n);
    clientPorts = freePorts(n);
    processes = new Process[n + 1];
  }

  private static int[] freePorts(int n) throws IOException {
    int[] ports = new int[n + 1];
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 1; i <= n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }

  int clientPort(int id) {
    return clientPorts[id];
  }

  int size() {
    return n;
  }

  Path log(int id) {
    return root.resolve("master-" + id + ".log");
  }

  boolean isAlive(int id) {
    return processes[id] != null && processes[id].isAlive();
  }

  void start(int id) throws IOException {
    if (isAlive(id)) {
      throw new IllegalStateException("master " + id + " is already running");
    }
    StringBuilder peers = new StringBuilder();
    StringBuilder peerClients = new StringBuilder();
    for (int j = 1; j <= n; j++) {
      if (j != id) {
        String sep = peers.isEmpty() ? "" : ",";
        peers.append(sep).append(j).append("=127.0.0.1:").append(raftPorts[j]);
        peerClients.append(sep).append(j).append("=127.0.0.1:").append(clientPorts[j]);
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KvDemoMain.class.getName(),
        "--id", Integer.toString(id), "--data", root.resolve("data-" + id).toString(),
        "--port", Integer.toString(raftPorts[id]), "--client-port", Integer.toString(clientPorts[id]),
        "--peers", peers.toString(), "--peer-clients", peerClients.toString()));
    cmd.addAll(extraArgs);
    processes[id] = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
  }

  /** CPU time master {@code id} has used so far (zero if not running or unknown). */
  Duration cpu(int id) {
    Process p = processes[id];
    return p == null ? Duration.ZERO : p.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** SIGKILL (on Linux {@link Process#destroyForcibly()} is kill -9), then waits for the exit. */
  void kill(int id) throws InterruptedException {
    Process p = processes[id];
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
      processes[id] = null;
    }
  }

  /** The STATUS fields of master {@code id} ({@code role}, {@code leader}, {@code commit}, ...), or empty if it does not answer. */
  Map<String, String> status(int id) {
    if (!isAlive(id)) {
      return Map.of();
    }
    try (LineClient c = new LineClient(clientPorts[id], 2000)) {
      String answer = c.call("STATUS");
      Map<String, String> fields = new TreeMap<>();
      if (answer.startsWith("OK ")) {
        for (String kv : answer.substring(3).split(" ")) {
          int eq = kv.indexOf('=');
          fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      return fields;
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** The id of a live master that says it leads and that a live majority follows, or 0. */
  int leader() {
    Map<Integer, Integer> votes = new TreeMap<>();
    int claimed = 0;
    for (int id = 1; id <= n; id++) {
      Map<String, String> s = status(id);
      if (s.isEmpty()) {
        continue;
      }
      if ("LEADER".equals(s.get("role"))) {
        claimed = id;
      }
      votes.merge(Integer.parseInt(s.get("leader")), 1, Integer::sum);
    }
    return claimed != 0 && votes.getOrDefault(claimed, 0) > n / 2 ? claimed : 0;
  }

  int awaitLeader(Duration bound) throws InterruptedException {
    int[] found = new int[1];
    await("a leader followed by a majority", bound, () -> (found[0] = leader()) != 0);
    return found[0];
  }

  /** Polls {@code condition} every 50 ms until it holds; fails naming {@code what} after {@code bound}. */
  void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + bound.toSeconds() + " s; logs:\n" + tails());
      }
      Thread.sleep(50);
    }
  }

  /** The last lines of every master's log, for failure messages. */
  String tails() {
    StringBuilder sb = new StringBuilder();
    for (int id = 1; id <= n; id++) {
      try {
        List<String> lines = Files.exists(log(id)) ? Files.readAllLines(log(id)) : List.of();
        sb.append("--- master ").append(id).append(isAlive(id) ? " (alive)" : " (down)").append('\n');
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
      } catch (IOException e) {
        sb.append("--- master ").append(id).append(": ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    for (int id = 1; id <= n; id++) {
      Process p = processes[id];
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
