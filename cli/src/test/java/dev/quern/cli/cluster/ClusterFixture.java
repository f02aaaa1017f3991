package dev.quern.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.cli.FreePorts;
import dev.quern.cli.Main;
import dev.quern.examples.wordcount.WordCount;
import dev.quern.testkit.Await;
import dev.quern.testkit.ChildJvm;
import dev.quern.testkit.Seed;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A cluster of real processes on 127.0.0.1 for the process-kill suite: three {@code quern master}
 * JVMs (Raft and HTTP ports chosen up front, so a master restarted after SIGKILL comes back at
 * the same addresses and the client's {@code quern://} list stays true) and {@code quern worker}
 * JVMs, each restartable under its id and data directory. Faults are signals by pid: SIGKILL
 * ({@link TestProcess#killTree}) and SIGSTOP/SIGCONT. It also holds what every case checks: a
 * reference computed here, and the commit rules of an output directory.
 */
final class ClusterFixture {
  static final Duration START = Duration.ofSeconds(180);
  static final Duration JOB = Duration.ofSeconds(300);
  static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xss512k");
  static final Pattern MASTER_READY = Pattern.compile(
      "^quern master (\\S+) ready: raft (\\S+), http https?://(\\S+) \\(pid \\d+\\)$");
  static final Pattern WORKER_READY =
      Pattern.compile("^quern worker (\\S+) ready: artery (\\S+) \\(pid \\d+\\)$");
  /** The worker's log line when its {@code TermFence} turns a deposed leader's message away. */
  static final Pattern REFUSED = Pattern.compile("worker \\S+: refused .* in term \\d+ \\(seen "
      + "term \\d+ of \\S+\\)");
  static final ObjectMapper JSON = new ObjectMapper();
  /** The masters' default worker timeout in the suite (other timings: the HOCON file). */
  static final Duration WORKER_TIMEOUT = Duration.ofSeconds(2);
  /**
   * The product's default worker timeout, for classes in which no worker dies and which check
   * that no task ran again: with the suite's 2 s, a loaded machine that stalls a worker's JVM (or
   * the leader's) for two seconds gets the worker counted lost and its attempts run again, as
   * designed (at load 35 a new leader lost a worker 2.1 s after adopting its attempts).
   */
  static final Duration NO_WORKER_DIES_TIMEOUT = Duration.ofSeconds(10);

  final Path dir;
  final TestProcesses procs;
  final Path conf;
  final int slots;
  final Map<String, Integer> raftPort = new TreeMap<>();
  final Map<String, Integer> httpPort = new TreeMap<>();
  final Map<String, TestProcess> masters = new TreeMap<>();
  final Map<String, TestProcess> workers = new TreeMap<>();
  /** Where the processes run and what they bind ({@link Placement#LOOPBACK} unless a test says). */
  final Placement placement;
  /** A secured cluster's token and CA (HTTPS), or plain HTTP. */
  final dev.quern.worker.security.ClusterAccess access;
  private final HttpClient http;

  private ClusterFixture(Path dir, TestProcesses procs, int slots, Duration workerTimeout,
      Placement placement) throws IOException {
    this.placement = placement;
    this.access = placement.credentials() == null ? dev.quern.worker.security.ClusterAccess.NONE
        : dev.quern.worker.security.ClusterAccess.fromDir(placement.credentials());
    this.http = access.clientBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    this.dir = dir;
    this.procs = procs;
    this.slots = slots;
    Files.createDirectories(dir);
    this.conf = dir.resolve("fast.conf");
    Files.writeString(conf, """
        quern.master { tick = 50ms, election-ticks = 10, worker-timeout = %dms, hello-interval = 200ms }
        quern.worker { heartbeat-interval = 200ms, leader-timeout = 1s,
          executor.java-options = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"%s] }
        """.formatted(workerTimeout.toMillis(), ChildJvm.sharingOnly().stream()
            .map(o -> ", \"" + o + "\"").collect(java.util.stream.Collectors.joining())));
    int[] ports = FreePorts.choose(6);
    for (int i = 1; i <= 3; i++) {
      raftPort.put("m" + i, ports[i - 1]);
      httpPort.put("m" + i, ports[i + 2]);
    }
  }

  /** Three masters and {@code workerIds}, each with {@code slots}; returns once all registered. */
  static ClusterFixture start(Path dir, TestProcesses procs, int slots, String... workerIds)
      throws IOException {
    return start(dir, procs, slots, WORKER_TIMEOUT, workerIds);
  }

  /** As above, with the masters' {@code worker-timeout}. */
  static ClusterFixture start(Path dir, TestProcesses procs, int slots, Duration workerTimeout,
      String... workerIds) throws IOException {
    return start(dir, procs, slots, workerTimeout, Placement.LOOPBACK, workerIds);
  }

  /** As above, with the processes where {@code placement} puts them. */
  static ClusterFixture start(Path dir, TestProcesses procs, int slots, Duration workerTimeout,
      Placement placement, String... workerIds) throws IOException {
    ClusterFixture c = new ClusterFixture(dir, procs, slots, workerTimeout, placement);
    for (String m : c.raftPort.keySet()) {
      c.startMaster(m);
    }
    for (String m : c.raftPort.keySet()) {
      c.masters.get(m).awaitLine(MASTER_READY, START);
    }
    // The first cluster of the module's tests recorded a master's classes: its archive now.
    ChildJvm.archive();
    for (String w : workerIds) {
      c.startWorker(w);
    }
    for (String w : workerIds) {
      c.workers.get(w).awaitLine(WORKER_READY, START);
    }
    c.awaitWorkers(workerIds.length);
    return c;
  }

  /** The command of a {@code quern} JVM (with the module's class-data archive, {@link ChildJvm}). */
  static List<String> quern(String... args) {
    List<String> cmd = new ArrayList<>(ChildJvm.command(JVM));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  String peers() {
    List<String> p = new ArrayList<>();
    raftPort.forEach((id, port) -> p.add(id + "=" + placement.masterHost(id) + ":" + port));
    return String.join(",", p);
  }

  String mastersArg() {
    List<String> p = new ArrayList<>();
    raftPort.forEach((id, port) -> p.add(placement.masterHost(id) + ":" + port));
    return String.join(",", p);
  }

  String http(String master) {
    return placement.masterHost(master) + ":" + httpPort.get(master);
  }

  /** The client's address of the cluster: every master's HTTP endpoint. */
  String address() {
    List<String> p = new ArrayList<>();
    httpPort.keySet().forEach(m -> p.add(http(m)));
    return "quern://" + String.join(",", p);
  }

  /** Starts (or restarts, same id, data and ports) master {@code id}; its log continues. */
  TestProcess startMaster(String id) {
    List<String> args = new ArrayList<>(List.of("master", "--config", conf.toString(), "--id", id,
        "--data", dir.resolve(id).toString(), "--peers", peers(), "--http", http(id)));
    args.addAll(placement.extraArgs(id));
    TestProcess p = procs.start(id, new ProcessBuilder(placement.command(id,
        quern(args.toArray(String[]::new)))));
    masters.put(id, p);
    return p;
  }

  /**
   * Adds master {@code id} (a new id, with new ports) to the running cluster: {@code quern master
   * --join} with an empty data directory and {@code --peers} of the masters running now and
   * itself; returns once it says ready (it votes). From then on it is one of {@link #masters}
   * (the others' {@code --peers} on a restart name it too).
   */
  TestProcess joinMaster(String id, List<String> extraArgs) {
    int[] ports = FreePorts.choose(2);
    raftPort.put(id, ports[0]);
    httpPort.put(id, ports[1]);
    List<String> args = new ArrayList<>(List.of("master", "--config", conf.toString(), "--id", id,
        "--data", dir.resolve(id).toString(), "--peers", peers(), "--http", http(id), "--join",
        "--cluster", address()));
    args.addAll(extraArgs);
    TestProcess p = procs.start(id, new ProcessBuilder(placement.command(id,
        quern(args.toArray(String[]::new)))));
    masters.put(id, p);
    awaitReady(p, MASTER_READY, 0);
    return p;
  }

  /**
   * {@code quern master --remove id} sent to the cluster; once it exits (the removal applied by
   * the leader), stops the removed master (SIGKILL: its machine is gone) and forgets it. Returns
   * the command's output.
   */
  String removeMaster(String id) {
    TestProcess remove = procs.start("remove-" + id, new ProcessBuilder(
        quern("master", "--remove", id, "--cluster", address())));
    assertEquals(0, remove.awaitExit(START), () -> remove.tail(40));
    kill(id);
    masters.remove(id);
    raftPort.remove(id);
    httpPort.remove(id);
    return remove.log();
  }

  /** Starts (or restarts, same id and data directory) worker {@code id}. */
  TestProcess startWorker(String id) {
    List<String> args = new ArrayList<>(List.of("worker", "--config", conf.toString(), "--id", id,
        "--masters", mastersArg(), "--slots", Integer.toString(slots), "--data",
        dir.resolve(id).toString()));
    args.addAll(placement.extraArgs(id));
    TestProcess p = procs.start(id, new ProcessBuilder(placement.command(id,
        quern(args.toArray(String[]::new)))));
    workers.put(id, p);
    return p;
  }

  /** Restarts every master that is not alive (a test's kills undone for the next test). */
  void restartDeadMasters() {
    for (String m : masters.keySet()) {
      if (!masters.get(m).isAlive()) {
        restartMaster(m);
      }
    }
  }

  /** Restarts dead master {@code id} and waits until this life says it is ready. */
  void restartMaster(String id) {
    int before = readyLines(masters.get(id), MASTER_READY);
    TestProcess p = startMaster(id);
    awaitReady(p, MASTER_READY, before);
  }

  /**
   * Restarts dead worker {@code id} under its id, with its data directory as it was or emptied
   * ({@code wipe}), and waits until this life says it is ready.
   */
  void restartWorker(String id, boolean wipe) throws IOException {
    int before = readyLines(workers.get(id), WORKER_READY);
    if (wipe) {
      Path data = dir.resolve(id);
      try (Stream<Path> walk = Files.walk(data)) {
        for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    TestProcess p = startWorker(id);
    awaitReady(p, WORKER_READY, before);
  }

  private static int readyLines(TestProcess p, Pattern ready) {
    return (int) p.log().lines().filter(l -> ready.matcher(l).find()).count();
  }

  /** The logs of restarts continue the same file: wait for one more ready line than before. */
  private static void awaitReady(TestProcess p, Pattern ready, int before) {
    Await.until(START, () -> p.name() + " ready again; log:\n" + p.tail(40), () -> {
      if (!p.isAlive()) {
        throw new AssertionError(p.name() + " exited on restart: " + p.tail(40));
      }
      return readyLines(p, ready) > before;
    });
  }

  /** SIGKILL to master or worker {@code id}, waiting until it is gone. */
  void kill(String id) {
    TestProcess p = masters.containsKey(id) ? masters.get(id) : workers.get(id);
    p.killTree();
    // killTree waits 20 s; on a loaded machine the reaping of a big JVM can take longer.
    Await.until(START, () -> id + " (pid " + p.pid() + ") survived SIGKILL", () -> {
      p.process().destroyForcibly();
      return !p.isAlive();
    });
  }

  /** SIGSTOP ({@code stop}) or SIGCONT to the process of master or worker {@code id}. */
  void signal(String id, boolean stop) {
    TestProcess p = masters.containsKey(id) ? masters.get(id) : workers.get(id);
    try {
      Process k = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(p.pid()))
          .redirectErrorStream(true).start();
      String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, k.waitFor(), () -> "kill " + (stop ? "-STOP " : "-CONT ") + p.pid() + ": "
          + out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until a leader all live masters agree on lists {@code n} workers; returns it. */
  String awaitWorkers(int n) {
    return Await.value(START, "a leader that lists " + n + " worker(s)", () -> leader()
        .filter(l -> get(http(l), "/api/cluster/workers")
            .map(d -> d.path("workers").size() == n).orElse(false)).orElse(null));
  }

  /** The master every live (and not stopped) master in {@code among} names as leader. */
  Optional<String> leader(Iterable<String> among) {
    String agreed = null;
    for (String m : among) {
      if (!masters.get(m).isAlive()) {
        continue;
      }
      Optional<JsonNode> s = get(http(m), "/api/cluster");
      if (s.isEmpty() || s.get().path("leaderId").asText().isEmpty()) {
        return Optional.empty();
      }
      String l = s.get().path("leaderId").asText();
      if (agreed != null && !agreed.equals(l)) {
        return Optional.empty();
      }
      agreed = l;
    }
    return Optional.ofNullable(agreed);
  }

  Optional<String> leader() {
    return leader(masters.keySet());
  }

  /** {@code GET path} on {@code hostPort}: the JSON of a 200, else empty (also when down). */
  Optional<JsonNode> get(String hostPort, String path) {
    try {
      HttpRequest.Builder b = access.authorize(HttpRequest.newBuilder(
          access.uri(hostPort, path)).timeout(Duration.ofSeconds(5)));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      pause();
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      pause();
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first answer of a master in {@code among} that answers 200 to {@code path}. */
  Optional<JsonNode> getAny(Iterable<String> among, String path) {
    for (String m : among) {
      if (masters.get(m).isAlive()) {
        Optional<JsonNode> r = get(http(m), path);
        if (r.isPresent()) {
          return r;
        }
      }
    }
    return Optional.empty();
  }

  Optional<JsonNode> getAny(String path) {
    return getAny(masters.keySet(), path);
  }

  /** Polling pace: the condition waits are bounded, this only keeps them from spinning. */
  static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- jobs -----------------------------------------------------------------------------------

  /** A client command, with the secured cluster's credentials in its environment. */
  private ProcessBuilder client(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(quern(cmd.toArray(String[]::new)));
    if (placement.credentials() != null) {
      pb.environment().put(dev.quern.worker.security.HttpAuth.ENV,
          placement.credentials().toString());
    }
    return pb;
  }

  /** {@code quern submit} of {@code main} in {@code jar}, as process {@code name}. */
  TestProcess submit(String name, Path jar, String main, String... args) {
    return submit(name, List.of(), jar, main, args);
  }

  /** As above, with {@code quern submit} options before the jar (e.g. {@code -Dkey=value}). */
  TestProcess submit(String name, List<String> options, Path jar, String main, String... args) {
    List<String> cmd = new ArrayList<>(List.of("submit", "--master", address()));
    cmd.addAll(options);
    cmd.addAll(List.of(jar.toString(), main));
    cmd.addAll(List.of(args));
    return procs.start(name, client(cmd));
  }

  /** {@code quern submit --detach}: returns the job id it prints once the job is accepted. */
  String submitDetached(String name, Path jar, String main, String... args) {
    List<String> cmd = new ArrayList<>(List.of("submit", "--detach", "--master", address(),
        jar.toString(), main));
    cmd.addAll(List.of(args));
    TestProcess p = procs.start(name, client(cmd));
    assertEquals(0, p.awaitExit(JOB), () -> p.tail(60));
    return p.log().lines().filter(l -> l.matches("job-\\d{4}")).findFirst()
        .orElseThrow(() -> new AssertionError("no job id printed: " + p.tail(60)));
  }

  /** The job's document from any master, once {@code test} holds for it. */
  JsonNode awaitJob(String jobId, String what, java.util.function.Predicate<JsonNode> test) {
    return Await.value(JOB, jobId + ": " + what, () -> getAny("/api/v1/jobs/" + jobId)
        .filter(test).orElse(null));
  }

  /** The job's tasks as the leader's book has them (retrying across elections). */
  JsonNode tasks(String jobId) {
    return Await.value(START, "the tasks of " + jobId, () -> leader()
        .flatMap(l -> get(http(l), "/api/v1/jobs/" + jobId + "/tasks")).orElse(null));
  }

  /** The only job every master lists: its id, once it appears. */
  String awaitOnlyJob() {
    return Await.value(JOB, "a job listed", () -> getAny("/api/v1/jobs")
        .filter(j -> j.size() == 1).map(j -> j.get(0).path("id").asText()).orElse(null));
  }

  /** The id of the one job named {@code name} that the masters list, once it appears. */
  String awaitOnlyJobNamed(String name) {
    return Await.value(JOB, "a job named " + name, () -> getAny("/api/v1/jobs").map(j -> {
      List<String> ids = new ArrayList<>();
      j.forEach(d -> {
        if (d.path("name").asText().equals(name)) {
          ids.add(d.path("id").asText());
        }
      });
      return ids.size() == 1 ? ids.get(0) : null;
    }).orElse(null));
  }

  /** The ids of the jobs the masters list now. */
  java.util.Set<String> jobIds() {
    JsonNode all = Await.value(START, "the job list", () -> getAny("/api/v1/jobs").orElse(null));
    java.util.Set<String> ids = new java.util.HashSet<>();
    all.forEach(d -> ids.add(d.path("id").asText()));
    return ids;
  }

  /** The id of the one job listed that is not in {@code before}, once it appears. */
  String awaitNewJob(java.util.Set<String> before) {
    return Await.value(JOB, "a new job", () -> getAny("/api/v1/jobs").map(j -> {
      List<String> ids = new ArrayList<>();
      j.forEach(d -> {
        if (!before.contains(d.path("id").asText())) {
          ids.add(d.path("id").asText());
        }
      });
      return ids.size() == 1 ? ids.get(0) : null;
    }).orElse(null));
  }

  // ---- inputs and references ------------------------------------------------------------------

  /**
   * {@code files} text files of seeded words (a Zipf-like skew over a small vocabulary, some in
   * capitals, some with an accented letter, spaces and tabs between).
   */
  static Path corpus(Path dir, Seed seed, int files, int linesPerFile) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom r = seed.random();
    for (int f = 0; f < files; f++) {
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("doc-" + f + ".txt"))) {
        for (int l = 0; l < linesPerFile; l++) {
          int words = 1 + r.nextInt(10);
          for (int i = 0; i < words; i++) {
            int rank = (int) Math.min(2_999, Math.floor(1 / (r.nextDouble() + 3e-4)));
            // Rare words: the file (or task) a word comes from matters for the index.
            String word = r.nextInt(50) == 0 ? "f" + f + "x" + r.nextInt(40) : "w" + rank;
            w.write((i == 0 ? "" : (r.nextInt(8) == 0 ? "\t" : " "))
                + (r.nextInt(10) == 0 ? word.toUpperCase(Locale.ROOT) : word)
                + (rank % 7 == 0 ? "é" : ""));
          }
          w.write('\n');
        }
      }
    }
    return dir;
  }

  private static List<Path> inputFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  /** Word counts of {@code dir}, made here: whitespace-separated tokens, lower-cased. */
  static Map<String, String> expectedCounts(Path dir) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (Path f : inputFiles(dir)) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        for (String t : line.split("[ \t]+")) {
          if (!t.isEmpty()) {
            counts.merge(t.toLowerCase(Locale.ROOT), 1L, Long::sum);
          }
        }
      }
    }
    Map<String, String> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, Long.toString(v)));
    return out;
  }

  /** The inverted index of {@code dir}, made here: lower-cased word -> sorted file names. */
  static Map<String, String> expectedIndex(Path dir) throws IOException {
    Map<String, TreeSet<String>> index = new TreeMap<>();
    for (Path f : inputFiles(dir)) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        for (String t : line.split("[ \t]+")) {
          if (!t.isEmpty()) {
            index.computeIfAbsent(t.toLowerCase(Locale.ROOT), k -> new TreeSet<>())
                .add(f.getFileName().toString());
          }
        }
      }
    }
    Map<String, String> out = new TreeMap<>();
    index.forEach((k, v) -> out.put(k, String.join(",", v)));
    return out;
  }

  /**
   * The committed output of {@code out} as key -> value, after checking the commit rules:
   * exactly one {@code _SUCCESS}, no {@code _temporary}, nothing but {@code _SUCCESS} and
   * {@code reduces} part files (no file of a losing attempt), no key in two part files.
   */
  static Map<String, String> committedOutput(Path out, int reduces) throws IOException {
    List<String> names;
    try (Stream<Path> files = Files.list(out)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> parts = names.stream().filter(n -> n.startsWith("part-")).toList();
    assertEquals(List.of("_SUCCESS"), names.stream().filter(n -> !n.startsWith("part-"))
        .toList(), () -> "besides part files, " + out + " holds " + names);
    assertEquals(reduces, parts.size(), () -> out + " holds " + names);
    assertTrue(parts.stream().allMatch(n -> n.matches("part-r-\\d{5}")), names::toString);
    Map<String, String> kv = new TreeMap<>();
    for (String part : parts) {
      for (String line : Files.readAllLines(out.resolve(part), StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        assertTrue(tab > 0, () -> "no tab in line '" + line + "' of " + part);
        String old = kv.put(line.substring(0, tab), line.substring(tab + 1));
        assertEquals(null, old, () -> "key " + line.substring(0, line.indexOf('\t'))
            + " written twice (again in " + part + ")");
      }
    }
    return kv;
  }

  // ---- jars -----------------------------------------------------------------------------------

  /** A jar of the examples' classes (InvertedIndex, WordCount, ...). */
  static Path examplesJar(Path target) throws Exception {
    return jarOfTree(target, Path.of(WordCount.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()), "");
  }

  /** A jar of {@link GatedWordCount} and its nested classes, compiled in this module. */
  static Path gatedJar(Path target) throws Exception {
    Path root = Path.of(GatedWordCount.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    String pkg = GatedWordCount.class.getPackageName().replace('.', '/');
    return jarOfTree(target, root, pkg + "/" + GatedWordCount.class.getSimpleName());
  }

  /** A jar of test class {@code main} and its nested classes, compiled in this module. */
  static Path jarOfClass(Path target, Class<?> main) throws Exception {
    Path root = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
    return jarOfTree(target, root, main.getName().replace('.', '/'));
  }

  /** A jar of the files under {@code root} whose relative path starts with {@code prefix}. */
  private static Path jarOfTree(Path target, Path root, String prefix) throws IOException {
    if (!Files.isDirectory(root)) {
      Files.copy(root, target);
      return target;
    }
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream file = Files.newOutputStream(target);
        JarOutputStream jar = new JarOutputStream(file, mf);
        Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
        String name = root.relativize(f).toString().replace('\\', '/');
        if (name.equals("META-INF/MANIFEST.MF") || !name.startsWith(prefix)) {
          continue;
        }
        jar.putNextEntry(new JarEntry(name));
        Files.copy(f, jar);
        jar.closeEntry();
      }
    }
    return target;
  }
}
