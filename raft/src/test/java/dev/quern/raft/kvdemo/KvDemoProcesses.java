package dev.quern.raft.kvdemo;

import dev.quern.testkit.Await;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three (or n) {@link KvDemoMain} JVMs on 127.0.0.1, each with its own data directory, started
 * through a {@link TestProcesses} group as {@code master-<id>} (so a restart appends to the same
 * log, and the group kills them all with their trees). Starting, SIGKILLing and restarting them;
 * polling their STATUS.
 *
 * <p>Ports. A client endpoint binds port 0 and reports the port it got on its {@code READY} line.
 * The Raft (Artery) ports must be known to the peers before they start, so they are chosen here:
 * below the kernel's ephemeral range (where neither a port-0 bind nor an outgoing connection is
 * ever given a port, so only a process that asks for that very number can take it) and probed free.
 * Between the probe and the bind another process may still take one; a master that fails to bind
 * exits, and then every running master is SIGKILLed and the group restarts on freshly chosen ports
 * (their storage is kept: to Raft this is a crash of all of them), at most {@link #BIND_ATTEMPTS}
 * times.
 */
final class KvDemoProcesses implements AutoCloseable {

  /** How many port choices a start may try before giving up. */
  static final int BIND_ATTEMPTS = 5;

  /** A JVM's start up to its READY line; generous, as two loaded cores can start a JVM slowly. */
  private static final Duration READY_BOUND = Duration.ofSeconds(90);

  private final TestProcesses group;
  private final boolean ownsGroup;
  private final Path dataRoot;
  private final int n;
  private final List<String> jvmFlags;
  private final List<String> extraArgs;
  private final TestProcess[] processes;
  /** Client ports of the running masters (0 while one is down or not ready); read by client threads. */
  private final AtomicIntegerArray clientPorts;
  private final Supplier<int[]> raftPortChooser;
  private int[] raftPorts;
  private int portChoices;

  /** Masters started through {@code group}, with their data directories under {@code dataRoot}. */
  KvDemoProcesses(TestProcesses group, Path dataRoot, int n, List<String> jvmFlags, List<String> extraArgs) {
    this(group, false, dataRoot, n, jvmFlags, extraArgs, freeRaftPorts(n));
  }

  /** For a program (the benchmark): logs and data directories under {@code root}; {@link #close} kills all. */
  KvDemoProcesses(Path root, int n, List<String> jvmFlags, List<String> extraArgs) {
    this(new TestProcesses(root), true, root, n, jvmFlags, extraArgs, freeRaftPorts(n));
  }

  /**
   * As the first constructor, with the Raft ports of each choice from {@code raftPortChooser} (an
   * array indexed by id, slot 0 unused): for a test of the restart on a failed bind.
   */
  KvDemoProcesses(TestProcesses group, Path dataRoot, int n, List<String> jvmFlags, List<String> extraArgs,
          Supplier<int[]> raftPortChooser) {
    this(group, false, dataRoot, n, jvmFlags, extraArgs, raftPortChooser);
  }

  private KvDemoProcesses(TestProcesses group, boolean ownsGroup, Path dataRoot, int n, List<String> jvmFlags,
              List<String> extraArgs, Supplier<int[]> raftPortChooser) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.dataRoot = dataRoot;
    this.n = n;
    this.jvmFlags = List.copyOf(jvmFlags);
    this.extraArgs = List.copyOf(extraArgs);
    this.processes = new TestProcess[n + 1];
    this.clientPorts = new AtomicIntegerArray(n + 1);
    this.raftPortChooser = raftPortChooser;
    this.raftPorts = chooseRaftPorts();
  }

  /** The client port of master {@code id}, or 0 while it is down or not yet ready. */
  int clientPort(int id) {
    return clientPorts.get(id);
  }

  int size() {
    return n;
  }

  /** The Raft (Artery) port master {@code id} is started with. */
  synchronized int raftPort(int id) {
    return raftPorts[id];
  }

  /** How many times the Raft ports were chosen (1 unless a bind failed and the group restarted). */
  int portChoices() {
    return portChoices;
  }

  Path logDir() {
    return group.logDir();
  }

  boolean isAlive(int id) {
    return processes[id] != null && processes[id].isAlive();
  }

  /**
   * Starts the masters {@code ids} (none of them running) and waits until each has reported its
   * client port. If one fails to bind its Raft port, every running master is killed and all of them
   * are started again on new ports; fails after {@link #BIND_ATTEMPTS} port choices.
   */
  synchronized void start(int... ids) {
    for (int id : ids) {
      if (isAlive(id)) {
        throw new IllegalStateException("master " + id + " is already running");
      }
    }
    int[] wanted = ids;
    while (true) {
      List<Integer> failed = launchAndAwaitReady(wanted);
      if (failed.isEmpty()) {
        return;
      }
      if (portChoices >= BIND_ATTEMPTS) {
        throw new AssertionError("masters " + failed + " could not bind their Raft ports in " + portChoices
            + " port choices (last " + Arrays.toString(raftPorts) + "); logs in " + group.logDir());
      }
      // Peers know each other's Raft ports only from their command lines: all restart on the new ones.
      Set<Integer> restart = new TreeSet<>();
      Arrays.stream(wanted).forEach(restart::add);
      for (int id = 1; id <= n; id++) {
        if (isAlive(id)) {
          restart.add(id);
        }
        kill(id);
      }
      System.out.printf("KvDemoProcesses: masters %s could not bind their Raft ports %s; restarting %s on new ports%n",
          failed, Arrays.toString(raftPorts), restart);
      raftPorts = chooseRaftPorts();
      wanted = restart.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  /** Launches {@code ids} and awaits their READY lines; returns those that failed to bind their Raft port. */
  private List<Integer> launchAndAwaitReady(int[] ids) {
    int[] logFrom = new int[n + 1];
    for (int id : ids) {
      // Where this life's lines begin in the log that every life of master-<id> appends to.
      logFrom[id] = processes[id] == null ? 0 : processes[id].log().length();
      processes[id] = group.start("master-" + id, new ProcessBuilder(command(id)));
    }
    List<Integer> bindFailures = new ArrayList<>();
    for (int id : ids) {
      if (!bindFailures.isEmpty()) {
        break; // all of them restart anyway
      }
      TestProcess p = processes[id];
      // The pid tells this life's READY line from an earlier life's in the same (appended) log.
      Pattern ready = Pattern.compile("^READY client-port=(\\d+) pid=" + p.pid() + "$");
      try {
        Matcher m = p.awaitLine(ready, READY_BOUND);
        clientPorts.set(id, Integer.parseInt(m.group(1)));
      } catch (AssertionError e) {
        String life = p.log().substring(logFrom[id]);
        if (p.isAlive() || !life.contains("Failed to bind TCP to [127.0.0.1:" + raftPorts[id] + "]")) {
          throw e;
        }
        bindFailures.add(id);
      }
    }
    return bindFailures;
  }

  /** The command line that starts master {@code id} (with the current Raft ports). */
  synchronized List<String> command(int id) {
    StringBuilder peers = new StringBuilder();
    for (int j = 1; j <= n; j++) {
      if (j != id) {
        peers.append(peers.isEmpty() ? "" : ",").append(j).append("=127.0.0.1:").append(raftPorts[j]);
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    // No --peer-clients: client ports change with every life; clients follow the leader id of a REDIRECT.
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KvDemoMain.class.getName(),
        "--id", Integer.toString(id), "--data", dataRoot.resolve("data-" + id).toString(),
        "--port", Integer.toString(raftPorts[id]), "--client-port", "0", "--peers", peers.toString()));
    cmd.addAll(extraArgs);
    return cmd;
  }

  private int[] chooseRaftPorts() {
    portChoices++;
    int[] ports = raftPortChooser.get();
    if (ports.length != n + 1) {
      throw new IllegalArgumentException("expected " + (n + 1) + " slots (0 unused), got " + Arrays.toString(ports));
    }
    return ports.clone();
  }

  /**
   * A chooser of one free port per master (slot 0 unused), distinct, drawn below the ephemeral range
   * (see the class comment), each bound and released once to skip those already in use. Port numbers
   * are the environment, not the scenario: they come from a fresh generator, not the test's seed.
   */
  static Supplier<int[]> freeRaftPorts(int n) {
    SplittableRandom random = new SplittableRandom();
    return () -> {
      int low = 10_000;
      int high = ephemeralLow();
      int[] ports = new int[n + 1];
      for (int id = 1; id <= n; id++) {
        for (int tries = 0; ; tries++) {
          if (tries == 1000) {
            throw new IllegalStateException("no free port in [" + low + ", " + high + ") after 1000 tries");
          }
          int candidate = random.nextInt(low, high);
          if (Arrays.stream(ports).noneMatch(x -> x == candidate) && bindable(candidate)) {
            ports[id] = candidate;
            break;
          }
        }
      }
      return ports;
    };
  }

  /** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 11_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as Artery binds: a port in TIME_WAIT is usable
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The process id of master {@code id} (it must be running). */
  long pid(int id) {
    return processes[id].pid();
  }

  /** CPU time master {@code id} has used so far (zero if not running or unknown). */
  Duration cpu(int id) {
    TestProcess p = processes[id];
    return p == null ? Duration.ZERO : p.process().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** SIGKILL to master {@code id} and its tree, and waits (bounded) until it is gone. */
  synchronized void kill(int id) {
    TestProcess p = processes[id];
    clientPorts.set(id, 0);
    if (p != null) {
      p.killTree();
      if (p.isAlive()) {
        throw new AssertionError("master " + id + " (pid " + p.pid() + ") survived SIGKILL");
      }
    }
  }

  /**
   * The STATUS fields of master {@code id} ({@code role}, {@code leader}, {@code commit}, ...), or
   * empty if it does not answer.
   */
  Map<String, String> status(int id) {
    int port = clientPort(id);
    if (port == 0 || !isAlive(id)) {
      return Map.of();
    }
    try (LineClient c = new LineClient(port, 2000)) {
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

  int awaitLeader(Duration bound) {
    int[] found = new int[1];
    await("a leader followed by a majority", bound, () -> (found[0] = leader()) != 0);
    return found[0];
  }

  /**
   * Polls {@code condition} until it holds; fails naming {@code what} and the masters' log tails
   * after {@code bound}. Each poll may ask every master for its STATUS over a new connection, so
   * polls are paced at 50 ms rather than Await's 10.
   */
  void await(String what, Duration bound, BooleanSupplier condition) {
    Await.until(bound, () -> "no " + what + " within " + bound.toSeconds() + " s; logs in " + group.logDir()
        + ":\n" + tails(), () -> {
          if (condition.getAsBoolean()) {
            return true;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
          return false;
        });
  }

  /** The last lines of every master's log, for failure messages. */
  String tails() {
    StringBuilder sb = new StringBuilder();
    for (int id = 1; id <= n; id++) {
      TestProcess p = processes[id];
      sb.append("--- master ").append(id).append(isAlive(id) ? " (alive)" : " (down)").append('\n');
      try {
        if (p != null) {
          sb.append(p.tail(15)).append('\n');
        }
      } catch (UncheckedIOException e) {
        sb.append(e).append('\n');
      }
    }
    return sb.toString();
  }

  /** Kills every master; a test's group is also killed by its extension, even when the test fails. */
  @Override
  public synchronized void close() {
    for (int id = 1; id <= n; id++) {
      clientPorts.set(id, 0);
    }
    if (ownsGroup) {
      group.close();
    } else {
      for (int id = 1; id <= n; id++) {
        if (processes[id] != null) {
          processes[id].killTree();
        }
      }
    }
  }
}
