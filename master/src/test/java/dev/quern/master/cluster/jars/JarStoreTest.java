package dev.quern.master.cluster.jars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeds.class)
class JarStoreTest {
  @TempDir Path dir;

  static byte[] bytes(Seed seed, int n) {
    byte[] b = new byte[n];
    seed.javaRandom().nextBytes(b);
    return b;
  }

  /** The hash computed apart from the store, over the whole array at once. */
  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void storesUnderItsHashAndReadsBack(Seed seed) throws Exception {
    JarStore store = new JarStore(dir);
    byte[] jar = bytes(seed, 300_000);
    JarStore.Stored s = store.put(new ByteArrayInputStream(jar), 1_000_000, null);
    assertEquals(sha(jar), s.sha256());
    assertEquals(jar.length, s.size());
    assertEquals(List.of(sha(jar) + ".jar"), files());
    assertArrayEquals(jar, Files.readAllBytes(store.find(sha(jar)).orElseThrow().path()));
    assertEquals(sha(jar), JarUpload.sha256(s.path()));
    assertEquals("sha256:" + sha(jar), JarUpload.reference(sha(jar)));
    // with the right expected hash too
    assertEquals(sha(jar), store.put(jar, sha(jar)).sha256());
    assertEquals(List.of(sha(jar) + ".jar"), files());
  }

  @Test
  void refusesAHashMismatchAndKeepsNothing(Seed seed) throws Exception {
    JarStore store = new JarStore(dir);
    byte[] jar = bytes(seed, 10_000);
    byte[] other = jar.clone();
    other[5000] ^= 1;
    JarStore.HashMismatchException e = assertThrows(JarStore.HashMismatchException.class,
        () -> store.put(other, sha(jar)));
    assertTrue(e.getMessage().contains(sha(jar)) && e.getMessage().contains(sha(other)),
        e.getMessage());
    assertEquals(List.of(), files());
    assertTrue(store.find(sha(jar)).isEmpty());
    assertTrue(store.find(sha(other)).isEmpty());
  }

  @Test
  void refusesAJarOverTheLimitAndKeepsNothing(Seed seed) throws Exception {
    JarStore store = new JarStore(dir);
    byte[] jar = bytes(seed, 10_001);
    assertThrows(JarStore.TooLargeException.class,
        () -> store.put(new ByteArrayInputStream(jar), 10_000, null));
    assertEquals(List.of(), files());
    // exactly at the limit is fine
    assertEquals(sha(jar), store.put(new ByteArrayInputStream(jar), 10_001, null).sha256());
  }

  @Test
  void aWriteCutShortLeavesNoVisibleJar(Seed seed) throws Exception {
    JarStore store = new JarStore(dir);
    byte[] jar = bytes(seed, 200_000);
    InputStream cut = new InputStream() {
      int pos;

      @Override
      public int read() throws IOException {
        if (pos == 150_000) {
          throw new IOException("connection reset (test)");
        }
        return jar[pos++] & 0xff;
      }
    };
    IOException e = assertThrows(IOException.class, () -> store.put(cut, 1_000_000, sha(jar)));
    assertEquals("connection reset (test)", e.getMessage());
    assertEquals(List.of(), files());
    assertTrue(store.find(sha(jar)).isEmpty());
  }

  @Test
  void whatACrashLeftIsInvisibleAndDeletedOnOpen(Seed seed) throws Exception {
    byte[] jar = bytes(seed, 50_000);
    // A process died between writing its temporary file and renaming it.
    Files.write(dir.resolve("0f3c-crashed.part"), jar);
    JarStore store = new JarStore(dir);
    assertTrue(store.find(sha(jar)).isEmpty());
    assertEquals(List.of(), files());
  }

  @Test
  void concurrentPutsOfOneJarLeaveOneWholeFileAndReadersNeverSeeAPart(Seed seed)
      throws Exception {
    JarStore store = new JarStore(dir);
    byte[] jar = bytes(seed, 2_000_000);
    String sha = sha(jar);
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      CyclicBarrier start = new CyclicBarrier(writers + 1);
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger wholeReads = new AtomicInteger();
      Future<?> reader = pool.submit(() -> {
        start.await();
        // Every read that finds the jar sees all of it, never a prefix.
        while (!done.get() || wholeReads.get() == 0) {
          Path p = dir.resolve(sha + ".jar");
          try {
            byte[] read = Files.readAllBytes(p);
            assertArrayEquals(jar, read);
            wholeReads.incrementAndGet();
          } catch (NoSuchFileException absent) {
            // not renamed into place yet
          }
        }
        return null;
      });
      List<Future<JarStore.Stored>> puts = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        puts.add(pool.submit(() -> {
          start.await();
          return store.put(new ByteArrayInputStream(jar), jar.length, sha);
        }));
      }
      for (Future<JarStore.Stored> f : puts) {
        assertEquals(sha, f.get().sha256());
      }
      done.set(true);
      reader.get();
      assertTrue(wholeReads.get() > 0);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(sha + ".jar"), files());
    assertArrayEquals(jar, Files.readAllBytes(store.find(sha).orElseThrow().path()));
  }

  @Test
  void namesOnlyLowercaseHexHashes() throws Exception {
    JarStore store = new JarStore(dir);
    assertFalse(JarStore.isSha256("ABC"));
    assertFalse(JarStore.isSha256("a".repeat(63)));
    assertFalse(JarStore.isSha256("A".repeat(64)));
    assertTrue(JarStore.isSha256("a".repeat(64)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store.find("../../etc/passwd"));
    assertTrue(e.getMessage().contains("../../etc/passwd"), e.getMessage());
  }
}
