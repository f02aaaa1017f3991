package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's jar cache against real HTTP servers playing masters (they serve
 * {@code /api/cluster/jars/<sha256>} as a master does, or serve it wrong on purpose), and the job
 * class loaders over it.
 */
@ExtendWith(Seeds.class)
class JarCacheTest {
  @TempDir Path tmp;

  private final List<HttpServer> servers = new ArrayList<>();

  /** What a fake master answers for a hash: status and body; missing: 404. */
  record Reply(int status, byte[] body, boolean truncate) {}

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  /** A server answering GET /api/cluster/jars/{sha} from {@code replies}; counts requests. */
  String master(Map<String, Reply> replies, AtomicInteger requests) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(JarCache.ROUTE, ex -> {
      requests.incrementAndGet();
      String sha = ex.getRequestURI().getPath().substring(JarCache.ROUTE.length());
      Reply r = replies.getOrDefault(sha, new Reply(404,
          ("{\"error\":\"holds no jar " + sha + "\"}").getBytes(StandardCharsets.UTF_8), false));
      if (r.truncate()) {
        // Promise the whole jar, send half, hang up.
        ex.sendResponseHeaders(r.status(), r.body().length);
        ex.getResponseBody().write(r.body(), 0, r.body().length / 2);
        ex.getResponseBody().flush();
        ex.close();
        return;
      }
      ex.sendResponseHeaders(r.status(), r.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
      }
    });
    s.start();
    servers.add(s);
    return "127.0.0.1:" + s.getAddress().getPort();
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** A real jar with one resource, so a class loader over it can be asked for something. */
  static byte[] jar(Seed seed, String resource) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes)) {
      out.putNextEntry(new JarEntry(resource));
      byte[] payload = new byte[100_000];
      seed.javaRandom().nextBytes(payload);
      out.write(payload);
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  List<String> cached() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("jars"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void fetchesVerifiesAndCachesAJar(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/payload.bin");
    String sha = sha(jar);
    AtomicInteger requests = new AtomicInteger();
    String m = master(Map.of(sha, new Reply(200, jar, false)), requests);
    JarCache cache = new JarCache(tmp.resolve("jars"), List.of(m));
    Path p = cache.resolve("sha256:" + sha);
    assertArrayEquals(jar, Files.readAllBytes(p));
    assertEquals(List.of(sha + ".jar"), cached());
    assertEquals(p, cache.resolve("sha256:" + sha));
    assertEquals(1, requests.get(), "a cached jar is not fetched again");
  }

  @Test
  void refusesACorruptedDownloadAndCachesNothing(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/payload.bin");
    String sha = sha(jar);
    byte[] corrupt = jar.clone();
    corrupt[corrupt.length / 3] ^= 0x40;
    AtomicInteger requests = new AtomicInteger();
    String m = master(Map.of(sha, new Reply(200, corrupt, false)), requests);
    JarCache cache = new JarCache(tmp.resolve("jars"), List.of(m));
    IOException e = assertThrows(IOException.class, () -> cache.resolve("sha256:" + sha));
    assertTrue(e.getMessage().contains(m + ": the download has sha256 " + sha(corrupt))
        && e.getMessage().contains("not the one asked for"), e.getMessage());
    assertEquals(List.of(), cached());
  }

  @Test
  void triesTheNextMasterWhenOneLacksTheJarOrSendsItWrong(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/payload.bin");
    String sha = sha(jar);
    AtomicInteger requests = new AtomicInteger();
    String missing = master(Map.of(), requests);
    String truncating = master(Map.of(sha, new Reply(200, jar, true)), requests);
    String good = master(Map.of(sha, new Reply(200, jar, false)), requests);
    JarCache cache = new JarCache(tmp.resolve("jars"), List.of(missing, truncating, good));
    assertArrayEquals(jar, Files.readAllBytes(cache.resolve("sha256:" + sha)));
    assertEquals(3, requests.get());
    assertEquals(List.of(sha + ".jar"), cached());
  }

  @Test
  void namesEveryMasterWhenNoneServesTheJar(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/payload.bin");
    String sha = sha(jar);
    AtomicInteger requests = new AtomicInteger();
    String missing = master(Map.of(), requests);
    String truncating = master(Map.of(sha, new Reply(200, jar, true)), requests);
    JarCache cache = new JarCache(tmp.resolve("jars"), List.of(missing, truncating));
    IOException e = assertThrows(IOException.class, () -> cache.resolve("sha256:" + sha));
    assertTrue(e.getMessage().startsWith("cannot fetch job jar sha256:" + sha + " from any master")
        && e.getMessage().contains(missing + ": HTTP 404")
        && e.getMessage().contains(truncating + ": "), e.getMessage());
    assertEquals(List.of(), cached());
    IOException none = assertThrows(IOException.class,
        () -> new JarCache(tmp.resolve("jars2"), List.of()).resolve("sha256:" + sha));
    assertTrue(none.getMessage().contains("quern.worker.master-http"), none.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> cache.resolve("sha256:XYZ"));
    assertTrue(bad.getMessage().contains("'sha256:XYZ'"), bad.getMessage());
  }

  @Test
  void theMastersHttpAddressesAreAConfigKeyAndLoopbackOnly() {
    String base = "quern.worker { masters = [\"127.0.0.1:7101\"], data = /tmp/never-created }\n";
    assertEquals(List.of(), WorkerProcessConfig.from(
        com.typesafe.config.ConfigFactory.parseString(base)).masterHttp());
    assertEquals(List.of("127.0.0.1:8101", "localhost:8102"), WorkerProcessConfig.from(
        com.typesafe.config.ConfigFactory.parseString(base
            + "quern.worker.master-http = [\"127.0.0.1:8101\", \"localhost:8102\"]")).masterHttp());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WorkerProcessConfig.from(com.typesafe.config.ConfigFactory.parseString(base
            + "quern.worker.master-http = [\"10.1.2.3:8101\"]")));
    assertTrue(e.getMessage().contains("(--master-http is 10.1.2.3)"), e.getMessage());
  }

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  static MapTaskSpec task(String jobId, String jar, Path tmp) {
    JobSpec s = Job.builder("w").input("/in").output(tmp.resolve("out").toString())
        .mapper(NoMapper.class).mapOutput(String.class, Long.class).build().spec();
    JobSpec job = new JobSpec(s.name(), s.user(), jar, s.inputPaths(), s.outputPath(),
        s.inputFormat(), s.outputFormat(), s.mapper(), s.combiner(), s.reducer(), s.partitioner(),
        s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(), s.outputKeyClass(),
        s.outputValueClass(), s.sortComparator(), s.groupingComparator(), s.config());
    return new MapTaskSpec(new TaskAttemptId(jobId, TaskKind.MAP, 0, 0), job,
        new FileSplit("/in/a", 0, 1, List.of()), tmp.resolve("scratch").toString(),
        tmp.resolve("work").toString());
  }

  @Test
  void jobLoadersOpenStoredJarsAndPathsAndCloseWhenTheJobEnds(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/stored.bin");
    String sha = sha(jar);
    String m = master(Map.of(sha, new Reply(200, jar, false)), new AtomicInteger());
    Path plain = tmp.resolve("plain.jar");
    Files.write(plain, jar(seed, "quern-test/plain.bin"));
    JarLoaders loaders = new JarLoaders(new JarCache(tmp.resolve("jars"), List.of(m)));
    try {
      ClassLoader stored = loaders.loaderFor(task("job-1", "sha256:" + sha, tmp));
      ClassLoader path = loaders.loaderFor(task("job-2", plain.toString(), tmp));
      URL res = stored.getResource("quern-test/stored.bin");
      assertNotNull(res);
      assertNotNull(path.getResource("quern-test/plain.bin"));
      assertNull(stored.getResource("quern-test/plain.bin"), "each job sees its own jar");
      assertSame(stored, loaders.loaderFor(task("job-1", "sha256:" + sha, tmp)));
      assertSame(JarLoaders.class.getClassLoader(),
          loaders.loaderFor(task("job-3", null, tmp)));

      loaders.jobEnded("job-1");
      assertEquals(java.util.Set.of("job-2", "job-3"), loaders.openJobs());
      assertNull(stored.getResource("quern-test/stored.bin"), "a closed loader finds nothing");
      assertNotNull(path.getResource("quern-test/plain.bin"), "the other job's loader is open");
      // The jar stays cached: the next job that names it opens a new loader over it.
      ClassLoader again = loaders.loaderFor(task("job-4", "sha256:" + sha, tmp));
      assertNotNull(again.getResource("quern-test/stored.bin"));
      loaders.jobEnded("no-such-job");
    } finally {
      loaders.close();
    }
    assertEquals(java.util.Set.of(), loaders.openJobs());
  }
  /**
   * A job that ends while its jar is still being fetched leaves no loader open: the fetch's
   * loader is closed when it arrives and the attempts that waited for it fail, naming the job.
   */
  @Test
  void aJobEndedDuringItsJarFetchLeavesNoLoaderOpen(Seed seed) throws Exception {
    byte[] jar = jar(seed, "quern-test/late.bin");
    String sha = sha(jar);
    java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(JarCache.ROUTE, ex -> {
      asked.countDown();
      try {
        release.await(2, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, jar.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(jar);
      }
    });
    s.start();
    servers.add(s);
    JarLoaders loaders = new JarLoaders(new JarCache(tmp.resolve("jars"),
        List.of("127.0.0.1:" + s.getAddress().getPort())));
    try {
      java.util.concurrent.CompletableFuture<ClassLoader> open =
          loaders.open(task("job-1", "sha256:" + sha, tmp));
      assertTrue(asked.await(30, java.util.concurrent.TimeUnit.SECONDS), "the fetch began");
      loaders.jobEnded("job-1");
      release.countDown();
      java.util.concurrent.ExecutionException e = assertThrows(
          java.util.concurrent.ExecutionException.class,
          () -> open.get(30, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("job job-1 ended while its jar sha256:"
          + sha), e.getCause().getMessage());
      assertEquals(java.util.Set.of(), loaders.openJobs(), "no loader left open");
      // The jar was fetched and stays cached; a later job that names it opens a loader at once.
      ClassLoader next = loaders.open(task("job-2", "sha256:" + sha, tmp))
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertNotNull(next.getResource("quern-test/late.bin"));
      assertEquals(java.util.Set.of("job-2"), loaders.openJobs());
    } finally {
      release.countDown();
      loaders.close();
    }
  }
}
