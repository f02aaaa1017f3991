package dev.quern.raft.kvdemo;

import dev.quern.raft.node.LatencyHistogram;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Three {@link KvDemoMain} processes on 127.0.0.1 with the fsynced WAL, driven over the client
 * endpoint. Not a test (no "Test" suffix): run by {@code bench/raft/process.sh}.
 *
 * <pre>
 * args: [seconds per load phase] [in-flight clients] [connections] [kills] [data root]
 * </pre>
 *
 * Phases: (1) throughput: {@code clients} sessions with one PUT each always outstanding, spread
 * over {@code connections} pipelined connections to the leader; (2) latency at a fixed 1,000 PUT/s,
 * measured from each request's scheduled send time (no coordinated omission); (3) failover: SIGKILL
 * the leader, time until a PUT is acknowledged by the new leader, restart the killed master, wait
 * until it caught up, repeat. Every PUT's entry (a ClientCommand with the key-value command) is 128
 * bytes of data.
 *
 * <p>With {@code -Dbench.stopSeconds=N} a phase before (3): the throughput load for N seconds with
 * all three up, then N seconds more with one follower SIGSTOPped, the leader's RSS sampled every
 * second (the maximum of each half); then SIGCONT and the time until the follower has caught up (by
 * snapshot if the leader compacted past it).
 */
public final class ProcessBench {

  private static final int ENTRY_BYTES = 128;

  /** Requests answered with anything but OK (a leader change under load); reported with each phase. */
  private static final AtomicLong REFUSED = new AtomicLong();

  private ProcessBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int kills = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Path root = Path.of(args.length > 4 ? args[4] : "raft/target/raft-process-bench");
    deleteTree(root);
    Files.createDirectories(root);
    List<String> flags = new ArrayList<>(List.of("-Xmx512m"));
    flags.addAll(List.of(System.getProperty("bench.masterGc", "-XX:+UseSerialGC").trim().split("\\s+")));
    String extra = System.getProperty("bench.masterFlags", "");
    if (!extra.isBlank()) {
      flags.addAll(List.of(extra.trim().split("\\s+"))); // e.g. a JFR recording, for profiling
    }
    try (KvDemoProcesses masters = new KvDemoProcesses(root, 3, flags, List.of("--snapshot-every", System.getProperty("bench.snapshotEvery", "100000")))) {
      // Killed from outside (timeout, Ctrl-C): do not leave three masters running.
      Runtime.getRuntime().addShutdownHook(new Thread(masters::close));
      for (int id = 1; id <= 3; id++) {
        masters.start(id);
      }
      GcPauses benchGc = GcPauses.install();
      int leader = awaitAllFollowing(masters);
      System.out.printf("load average at start %.2f; leader %d, all three following it%n", load(), leader);

      // Warm-up: let the JIT compile the hot paths in all three JVMs.
      throughput(masters.clientPort(leader), clients, connections, Math.max(3, seconds / 2), 1);
      long cpu0 = cpuNanos(masters);
      double rate = throughput(masters.clientPort(leader), clients, connections, seconds, 2);
      double cpuPerEntry = (cpuNanos(masters) - cpu0) / (rate * seconds) / 1e3;
      System.out.printf("throughput: %,.0f entries/s with %d clients over %d connections (%d s, load %.2f, "
          + "masters' CPU %.0f us per entry)%n", rate, clients, connections, seconds, load(), cpuPerEntry);

      System.out.printf("  refused (not leader / retry): %d%n", REFUSED.getAndSet(0));
      leader = awaitAllFollowing(masters);
      Map<Integer, Map<String, Breakdown>> before = allMetrics(masters);
      Map<Integer, Map<String, Long>> allocBefore = new TreeMap<>(ALLOC);
      Breakdown benchGcBefore = Breakdown.of(benchGc.histogram().snapshot());
      long[] lat = fixedRate(masters.clientPort(leader), 1000, seconds);
      long refused = REFUSED.getAndSet(0);
      lat = Arrays.copyOf(lat, lat.length - (int) refused);
      System.out.printf("fixed 1,000/s: %d acknowledged, %d refused, p50 %.2f ms, p99 %.2f ms, max %.2f ms "
          + "(load %.2f)%n", lat.length, refused, lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6,
          lat[lat.length - 1] / 1e6, load());
      printBreakdown(masters, leader, before, allMetrics(masters), lat,
          Breakdown.of(benchGc.histogram().snapshot()).minus(benchGcBefore));
      printAllocation(allocBefore, ALLOC, lat.length);

      int stopSeconds = Integer.getInteger("bench.stopSeconds", 0);
      if (stopSeconds > 0) {
        stoppedFollower(masters, clients, connections, stopSeconds);
      }
      if (kills > 0) {
        failover(masters, kills);
      }
    }
  }

  /**
   * A leader that both others follow, each having applied everything the leader had committed when
   * asked (so its Artery association to the leader carried appends both ways). A master prints READY
   * once its client port is open, when its Raft transport may still be connecting: load started
   * then would run on the two masters that are ready, where any stall of either costs the quorum.
   */
  private static int awaitAllFollowing(KvDemoProcesses masters) {
    int[] leader = new int[1];
    masters.await("a leader all three follow, caught up", Duration.ofSeconds(120), () -> {
      leader[0] = masters.leader();
      if (leader[0] == 0) {
        return false;
      }
      for (int id = 1; id <= masters.size(); id++) {
        if (!Integer.toString(leader[0]).equals(masters.status(id).get("leader")) || !caughtUp(masters, id)) {
          return false;
        }
      }
      return true;
    });
    return leader[0];
  }

  /** Every master's allocation by thread group at the last {@link #allMetrics} (kept aside of the histograms). */
  private static final Map<Integer, Map<String, Long>> ALLOC = new TreeMap<>();

  /** Every master's METRICS histograms, by master id and name; their allocation goes to {@link #ALLOC}. */
  private static Map<Integer, Map<String, Breakdown>> allMetrics(KvDemoProcesses masters) throws IOException {
    Map<Integer, Map<String, Breakdown>> all = new TreeMap<>();
    for (int id = 1; id <= masters.size(); id++) {
      try (LineClient c = new LineClient(masters.clientPort(id), 5000)) {
        String answer = c.call("METRICS");
        if (!answer.startsWith("OK ")) {
          throw new IOException("master " + id + " answered METRICS with '" + answer + "'");
        }
        Map<String, Breakdown> m = new TreeMap<>();
        for (String kv : answer.substring(3).split(" ")) {
          String name = kv.substring(0, kv.indexOf('='));
          if (name.equals("alloc")) {
            ALLOC.put(id, ThreadAllocation.decode(kv.substring(kv.indexOf('=') + 1)));
            continue;
          }
          double[] bounds = name.equals("commit") || name.equals("fsync") ? LatencyHistogram.DEFAULT_BOUNDS
              : Breakdown.BOUNDS;
          m.put(name, Breakdown.decode(kv.substring(kv.indexOf('=') + 1), bounds));
        }
        all.put(id, m);
      }
    }
    return all;
  }

  /**
   * Where the fixed-rate phase's tail came from: per master, its GC pauses, fsyncs and (on the
   * leader) each write's time in the node (proposal to commit) and in the endpoint (line read to
   * answer queued), beside the load generator's own GC pauses and the answers it saw over 10 ms.
   */
  private static void printBreakdown(KvDemoProcesses masters, int leader, Map<Integer, Map<String, Breakdown>> before,
      Map<Integer, Map<String, Breakdown>> after, long[] lat, Breakdown benchGc) {
    long slow = Arrays.stream(lat).filter(l -> l > 10_000_000L).count();
    System.out.printf("  answers over 10 ms at the load generator: %d of %d%n", slow, lat.length);
    for (int id = 1; id <= masters.size(); id++) {
      Map<String, Breakdown> a = after.get(id);
      Map<String, Breakdown> b = before.get(id);
      Breakdown gc = a.get("gc").minus(b.get("gc"));
      Breakdown fsync = a.get("fsync").minus(b.get("fsync"));
      System.out.printf("  master %d%s: gc pauses %s, total %.0f ms; fsync %s, over 10 ms %d%n", id,
          id == leader ? " (leader)" : "", gc.summary(), gc.sumSeconds() * 1e3, fsync.summary(), fsync.over(0.01));
      if (id == leader) {
        Breakdown commit = a.get("commit").minus(b.get("commit"));
        Breakdown endpoint = a.get("endpoint").minus(b.get("endpoint"));
        System.out.printf("    proposal to commit in the node: %s, over 10 ms %d%n", commit.summary(), commit.over(0.01));
        System.out.printf("    line read to answer queued in the endpoint: %s, over 10 ms %d%n", endpoint.summary(),
            endpoint.over(0.01));
      }
    }
    System.out.printf("  load generator: gc pauses %s, total %.0f ms%n", benchGc.summary(), benchGc.sumSeconds() * 1e3);
  }

  /** Bytes allocated per acknowledged write in the phase, by master and thread group (groups under 100 B left out). */
  private static void printAllocation(Map<Integer, Map<String, Long>> before, Map<Integer, Map<String, Long>> after,
      long writes) {
    for (var e : after.entrySet()) {
      Map<String, Long> b = before.getOrDefault(e.getKey(), Map.of());
      long total = 0;
      StringBuilder groups = new StringBuilder();
      for (var g : e.getValue().entrySet()) {
        long perWrite = Math.max(0, g.getValue() - b.getOrDefault(g.getKey(), 0L)) / Math.max(1, writes);
        total += perWrite;
        if (perWrite >= 100) {
          groups.append(groups.isEmpty() ? "" : ", ").append(g.getKey()).append(' ').append(perWrite);
        }
      }
      System.out.printf("  master %d allocated %,d bytes per write: %s%n", e.getKey(), total, groups);
    }
  }

  /**
   * The leader's RSS under full load for {@code seconds} with all three up (the baseline: the heap
   * grows with the load, whatever the followers do), then for {@code seconds} more with one follower
   * stopped; the maximum of each, sampled every second.
   */
  private static void stoppedFollower(KvDemoProcesses masters, int clients, int connections, int seconds)
      throws Exception {
    int leader = masters.awaitLeader(Duration.ofSeconds(120));
    int follower = leader % 3 + 1;
    long leaderPid = masters.pid(leader);
    long rssStart = rssKiB(leaderPid);
    long[] up = rssUnderLoad(masters.clientPort(leader), clients, connections, seconds, 3, leaderPid);
    signal("STOP", masters.pid(follower));
    long[] stopped;
    try {
      stopped = rssUnderLoad(masters.clientPort(leader), clients, connections, seconds, 4, leaderPid);
    } finally {
      signal("CONT", masters.pid(follower));
    }
    System.out.printf("leader RSS under full load: %,d KiB at start; all up %d s: %,d entries/s, max %,d KiB; "
        + "follower %d stopped %d s: %,d entries/s, max %,d KiB, end %,d KiB (stopped/up max %.2f, load %.2f)%n",
        rssStart, seconds, up[1], up[0], follower, seconds, stopped[1], stopped[0], rssKiB(leaderPid),
        (double) stopped[0] / up[0], load());
    long resumed = System.nanoTime();
    masters.await("master " + follower + " caught up", Duration.ofSeconds(120), () -> caughtUp(masters, follower));
    System.out.printf("follower %d caught up %.0f ms after SIGCONT%n", follower, (System.nanoTime() - resumed) / 1e6);
  }

  /** Runs the throughput load and samples {@code pid}'s RSS every second: {max KiB, entries/s}. */
  private static long[] rssUnderLoad(int port, int clients, int connections, int seconds, int round, long pid)
      throws Exception {
    long[] maxRss = {rssKiB(pid)};
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        maxRss[0] = Math.max(maxRss[0], rssKiB(pid));
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    double rate;
    try {
      rate = throughput(port, clients, connections, seconds, round);
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    return new long[] {Math.max(maxRss[0], rssKiB(pid)), Math.round(rate)};
  }

  private static long rssKiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // gone: counts as zero
    }
    return 0;
  }

  private static void signal(String signal, long pid) throws Exception {
    int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " exited " + rc);
    }
  }

  private static long cpuNanos(KvDemoProcesses masters) {
    long sum = 0;
    for (int id = 1; id <= masters.size(); id++) {
      sum += masters.cpu(id).toNanos();
    }
    return sum;
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A PUT of {@code key} whose log entry data is exactly {@link #ENTRY_BYTES}. */
  private static String put(long client, long seq, String key) {
    // ClientCommand: 16 bytes of client and sequence; KvCommand: op byte, key length int, key, value.
    int valueBytes = ENTRY_BYTES - 16 - 1 - 4 - key.length();
    return "PUT " + client + " " + seq + " " + key + " " + "v".repeat(valueBytes);
  }

  /** Committed PUTs per second with {@code clients} always outstanding. */
  private static double throughput(int port, int clients, int connections, int seconds, int round) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      int first = c * clients / connections;
      int last = (c + 1) * clients / connections;
      Thread t = new Thread(() -> {
        try {
          closedLoop(port, round * 1_000_000L, first, last, end, done);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** Slots [first, last) on one connection, each re-sending as soon as its answer comes. */
  private static void closedLoop(int port, long clientBase, int first, int last, long end, AtomicLong done)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setTcpNoDelay(true);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
      long[] seq = new long[last];
      for (int slot = first; slot < last; slot++) {
        seq[slot] = 1;
        send(out, slot, put(clientBase + slot, 1, "k" + (slot % 1000)));
      }
      out.flush();
      int outstanding = last - first;
      while (outstanding > 0) {
        String line = in.readLine();
        if (line == null) {
          throw new IOException("master closed the connection");
        }
        int sp = line.indexOf(' ');
        int slot = Integer.parseInt(line.substring(0, sp));
        boolean ok = line.startsWith("OK", sp + 1);
        if (ok) {
          done.incrementAndGet();
        } else {
          REFUSED.incrementAndGet(); // leadership moved: this slot stops, the phase goes on
        }
        if (ok && System.nanoTime() < end) {
          seq[slot]++;
          send(out, slot, put(clientBase + slot, seq[slot], "k" + (slot % 1000)));
        } else {
          outstanding--;
        }
        if (!in.ready()) {
          out.flush();
        }
      }
      out.flush();
    }
  }

  private static void send(OutputStream out, long rid, String request) throws IOException {
    out.write((rid + " " + request + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Latencies (sorted, ns) of PUTs sent at {@code perSecond}, each from its scheduled send time. */
  private static long[] fixedRate(int port, int perSecond, int seconds) throws Exception {
    int n = perSecond * seconds;
    long[] scheduled = new long[n];
    long[] latency = new long[n];
    long interval = 1_000_000_000L / perSecond;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setTcpNoDelay(true);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = new BufferedOutputStream(s.getOutputStream());
      long start = System.nanoTime() + 10_000_000L;
      Thread reader = new Thread(() -> {
        try {
          for (int i = 0; i < n; i++) {
            String line = in.readLine();
            int sp = line.indexOf(' ');
            int rid = Integer.parseInt(line.substring(0, sp));
            if (line.startsWith("OK", sp + 1)) {
              latency[rid] = System.nanoTime() - scheduled[rid];
            } else {
              REFUSED.incrementAndGet();
              latency[rid] = Long.MAX_VALUE; // refused (leadership moved): sorts last, reported apart
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      for (int i = 0; i < n; i++) {
        scheduled[i] = start + i * interval;
      }
      reader.start();
      for (int i = 0; i < n; i++) {
        long wait = scheduled[i] - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        // One session per request: the state machine needs one outstanding request per client.
        send(out, i, put(10_000_000L + i, 1, "f" + (i % 1000)));
        out.flush();
      }
      reader.join();
    }
    Arrays.sort(latency);
    return latency;
  }

  /** SIGKILL the leader {@code kills} times; time from the kill to the first PUT acknowledged by another master. */
  private static void failover(KvDemoProcesses masters, int kills) throws Exception {
    List<Double> times = new ArrayList<>();
    long seq = 1;
    for (int k = 0; k < kills; k++) {
      int leader = masters.awaitLeader(Duration.ofSeconds(120));
      for (int id = 1; id <= 3; id++) {
        int node = id;
        masters.await("master " + node + " caught up", Duration.ofSeconds(120), () -> caughtUp(masters, node));
      }
      long killedAt = System.nanoTime();
      masters.kill(leader);
      int node = leader % 3 + 1;
      long ackedAt = 0;
      while (ackedAt == 0) {
        String answer;
        try (LineClient c = new LineClient(masters.clientPort(node), 1000)) {
          answer = c.call(put(20_000_000L, seq, "failover"));
        } catch (IOException e) {
          answer = "DOWN";
        }
        if (answer.startsWith("OK")) {
          ackedAt = System.nanoTime();
          seq++;
        } else if (answer.startsWith("REDIRECT ") && !answer.startsWith("REDIRECT 0 ")
            && Integer.parseInt(answer.split(" ")[1]) != leader) {
          node = Integer.parseInt(answer.split(" ")[1]);
        } else {
          node = node % 3 + 1 == leader ? leader % 3 + 1 : node % 3 + 1;
          LockSupport.parkNanos(5_000_000L);
        }
      }
      double ms = (ackedAt - killedAt) / 1e6;
      times.add(ms);
      System.out.printf("kill %d: leader %d, first write acknowledged by %d after %.0f ms (load %.2f)%n",
          k + 1, leader, node, ms, load());
      masters.start(leader);
    }
    times.sort(Double::compare);
    System.out.printf("failover over %d kills: median %.0f ms, max %.0f ms%n",
        times.size(), times.get(times.size() / 2), times.get(times.size() - 1));
  }

  private static boolean caughtUp(KvDemoProcesses masters, int id) {
    int leader = masters.leader();
    if (leader == 0) {
      return false;
    }
    String commit = masters.status(leader).get("commit");
    String applied = masters.status(id).get("applied");
    return commit != null && applied != null && Long.parseLong(applied) >= Long.parseLong(commit);
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
