package dev.quern.worker.logs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's attempt log store: the cap, chunked reads, checked names, retention. */
class AttemptLogsTest {
  private static final TaskAttemptId A = new TaskAttemptId("job-0007", TaskKind.MAP, 2, 1);

  /** A clock the test moves. */
  private static final class Manual extends Clock {
    Instant now;

    Manual(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aFileKeepsItsHeadUpToTheCapAndSaysHowMuchWasDropped(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1000, Clock.systemUTC());
    StringBuilder all = new StringBuilder();
    try (AttemptOutput o = logs.open(A)) {
      for (int i = 0; i < 150; i++) {
        String line = String.format("line %04d\n", i); // 10 bytes each
        all.append(line);
        o.stream(LogStream.STDOUT).write(line.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertEquals(all.substring(0, 1000) + "\n[quern: 500 more bytes were dropped: this file is "
        + "capped at 1000 bytes (quern.worker.logs.max-bytes)]\n",
        Files.readString(dir.resolve("job-0007/m-00002_1/stdout")));
  }

  @Test
  void aFilePastTheCapNamesTheDroppedBytes(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1000, Clock.systemUTC());
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.STDERR).write(new byte[1500]);
      o.stream(LogStream.STDERR).write(new byte[250]);
    }
    String text = Files.readString(dir.resolve("job-0007/m-00002_1/stderr"));
    assertEquals(1000, text.indexOf('\n'));
    assertTrue(text.endsWith("[quern: 750 more bytes were dropped: this file is capped at 1000 "
        + "bytes (quern.worker.logs.max-bytes)]\n"), text.substring(1000));
  }

  @Test
  void readsReturnTheFileInChunksOfAtMost128KiB(@TempDir Path dir) throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    byte[] data = new byte[300_000 + random.nextInt(10_000)];
    random.nextBytes(data);
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1 << 20, Clock.systemUTC());
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.LOG).write(data);
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    long offset = 0;
    int chunks = 0;
    while (true) {
      AttemptLogs.Chunk c = logs.read("job-0007", "m-00002_1", LogStream.LOG, offset,
          Integer.MAX_VALUE);
      assertEquals(data.length, c.size(), "seed " + seed);
      assertTrue(c.bytes().length <= AttemptLogs.MAX_CHUNK);
      if (c.bytes().length == 0) {
        break;
      }
      all.write(c.bytes());
      offset += c.bytes().length;
      chunks++;
    }
    assertArrayEquals(data, all.toByteArray(), "seed " + seed);
    assertEquals((data.length + AttemptLogs.MAX_CHUNK - 1) / AttemptLogs.MAX_CHUNK, chunks);
  }

  @Test
  void namesOutsideTheirPatternsNeverReachTheDisk(@TempDir Path dir) throws Exception {
    Path root = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("secret"), "no");
    Files.createDirectories(root.resolve("job-0001"));
    AttemptLogs logs = new AttemptLogs(root, Duration.ofDays(1), 1000, Clock.systemUTC());
    for (String[] bad : new String[][] {{"..", "m-00000_1"}, {"job-0001", ".."},
        {"job-0001", "../../secret"}, {"../secret", "m-00000_1"}, {"job-0001", "m-00000_1/.."},
        {"", "m-00000_1"}, {"job-0001", "x-00000_1"}, {"job/0001", "m-00000_1"},
        {"job-0001", "m-00000_1\u0000"}, {"%2e%2e", "m-00000_1"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> logs.read(bad[0], bad[1], LogStream.STDOUT, 0, 10), String.join("/", bad));
      assertTrue(e.getMessage().startsWith("not a"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class,
        () -> logs.read("job-0001", "m-00000_1", LogStream.STDOUT, -1, 10));
  }

  @Test
  void retentionRemovesOldLogsAndThenTellsThemExpired(@TempDir Path dir) throws Exception {
    Manual clock = new Manual(Instant.now());
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofHours(24), 1000, clock);
    TaskAttemptId fresh = new TaskAttemptId("job-0008", TaskKind.REDUCE, 0, 1);
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.STDOUT).write("old\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(0, logs.sweep(), "nothing is a day old yet");
    assertEquals("old\n", new String(logs.read("job-0007", "m-00002_1", LogStream.STDOUT, 0, 100)
        .bytes(), StandardCharsets.UTF_8));
    clock.now = clock.now.plus(Duration.ofHours(25));
    // A newer attempt (its files written at the clock's "now").
    try (AttemptOutput o = logs.open(fresh)) {
      o.stream(LogStream.STDOUT).write("new\n".getBytes(StandardCharsets.UTF_8));
    }
    touch(dir.resolve("job-0008/r-00000_1"), clock.now);
    assertEquals(1, logs.sweep());
    assertFalse(Files.exists(dir.resolve("job-0007/m-00002_1")));
    AttemptLogs.LogsUnavailable gone = assertThrows(AttemptLogs.LogsUnavailable.class,
        () -> logs.read("job-0007", "m-00002_1", LogStream.STDOUT, 0, 100));
    assertEquals(AttemptLogs.Missing.EXPIRED, gone.why());
    assertTrue(gone.getMessage().contains("expired") && gone.getMessage().contains("PT24H"),
        gone.getMessage());
    assertEquals("new\n", new String(logs.read("job-0008", "r-00000_1", LogStream.STDOUT, 0, 100)
        .bytes(), StandardCharsets.UTF_8));
    // A retention later the marker goes too, and so does the empty job directory.
    clock.now = clock.now.plus(Duration.ofHours(25));
    touch(dir.resolve("job-0008/r-00000_1"), clock.now);
    logs.sweep();
    assertFalse(Files.exists(dir.resolve("job-0007")));
    AttemptLogs.LogsUnavailable unknown = assertThrows(AttemptLogs.LogsUnavailable.class,
        () -> logs.read("job-0007", "m-00002_1", LogStream.STDOUT, 0, 100));
    assertEquals(AttemptLogs.Missing.NOT_FOUND, unknown.why());
  }

  @Test
  void anAttemptThatWritesNothingLeavesNoFileAndReadsEmpty(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1000, Clock.systemUTC());
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.STDOUT).write(new byte[0]);
      o.stream(LogStream.STDERR).flush();
    }
    try (var left = Files.list(dir.resolve("job-0007"))) {
      assertEquals(java.util.List.of(), left.toList(), "the job's directory holds nothing");
    }
    for (LogStream s : LogStream.values()) {
      AttemptLogs.Chunk c = logs.read("job-0007", "m-00002_1", s, 0, 100);
      assertEquals(0, c.size(), s.fileName());
      assertEquals(0, c.bytes().length, s.fileName());
    }
    // An attempt of a job that never ran here is still unknown, not empty.
    AttemptLogs.LogsUnavailable none = assertThrows(AttemptLogs.LogsUnavailable.class,
        () -> logs.read("job-0009", "m-00002_1", LogStream.STDOUT, 0, 100));
    assertEquals(AttemptLogs.Missing.NOT_FOUND, none.why());
  }

  @Test
  void anAttemptThatPrintsOnlyToStdoutHasOnlyStdout(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1000, Clock.systemUTC());
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.STDOUT).write("said\n".getBytes(StandardCharsets.UTF_8));
    }
    try (var files = Files.list(dir.resolve("job-0007/m-00002_1"))) {
      assertEquals(java.util.List.of("stdout"),
          files.map(f -> f.getFileName().toString()).toList());
    }
    assertEquals("said\n", new String(logs.read("job-0007", "m-00002_1", LogStream.STDOUT, 0,
        100).bytes(), StandardCharsets.UTF_8));
    assertEquals(0, logs.read("job-0007", "m-00002_1", LogStream.STDERR, 0, 100).size());
  }

  @Test
  void aCapOfNothingStillSaysWhatWasDropped(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 0, Clock.systemUTC());
    try (AttemptOutput o = logs.open(A)) {
      o.stream(LogStream.LOG).write(new byte[7]);
    }
    assertEquals("\n[quern: 7 more bytes were dropped: this file is capped at 0 bytes "
        + "(quern.worker.logs.max-bytes)]\n",
        Files.readString(dir.resolve("job-0007/m-00002_1/log")));
  }

  @Test
  void attemptsThatWroteNothingExpireToo(@TempDir Path dir) throws Exception {
    Manual clock = new Manual(Instant.now());
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofHours(24), 1000, clock);
    logs.open(A).close();
    Files.setLastModifiedTime(dir.resolve("job-0007"),
        java.nio.file.attribute.FileTime.from(clock.now));
    logs.sweep();
    assertEquals(0, logs.read("job-0007", "m-00002_1", LogStream.LOG, 0, 100).size(),
        "kept for the retention: an empty log");
    assertTrue(logs.holds("job-0007"));
    clock.now = clock.now.plus(Duration.ofHours(25));
    assertEquals(clock.now.toEpochMilli() + Duration.ofHours(24).toMillis(),
        logs.sweepAndPlan().nextDueMillis(), "the marker's expiry is the next due");
    assertFalse(Files.exists(dir.resolve("job-0007")));
    AttemptLogs.LogsUnavailable gone = assertThrows(AttemptLogs.LogsUnavailable.class,
        () -> logs.read("job-0007", "m-00002_1", LogStream.LOG, 0, 100));
    assertEquals(AttemptLogs.Missing.EXPIRED, gone.why());
    assertTrue(logs.holds("job-0007"), "its marker");
    clock.now = clock.now.plus(Duration.ofHours(25));
    logs.sweep();
    assertFalse(logs.holds("job-0007"));
    assertEquals(AttemptLogs.Missing.NOT_FOUND, assertThrows(AttemptLogs.LogsUnavailable.class,
        () -> logs.read("job-0007", "m-00002_1", LogStream.LOG, 0, 100)).why());
    try (var left = Files.list(dir)) {
      assertEquals(java.util.List.of(), left.toList());
    }
  }

  @Test
  void aJobIdUsedAgainUnderTheSameRootClearsTheMarkerItsAttemptLeft(@TempDir Path dir)
      throws Exception {
    // What an earlier run's job of the same id left: its directory, and the marker of an attempt
    // of the same name whose logs expired.
    Files.createDirectories(dir.resolve("job-0007"));
    Path marker = dir.resolve("job-0007/m-00002_1.expired");
    Files.writeString(marker, "");
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1000, Clock.systemUTC());
    logs.open(A).close();
    assertFalse(Files.exists(marker), "the new attempt's logs are not expired");
    assertEquals(0, logs.read("job-0007", "m-00002_1", LogStream.LOG, 0, 100).size());
  }

  /** Sets the directory's files' times to {@code at} (they were written by the real clock). */
  private static void touch(Path attempt, Instant at) throws Exception {
    try (var files = Files.list(attempt)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(at));
      }
    }
    Files.setLastModifiedTime(attempt, java.nio.file.attribute.FileTime.from(at));
  }
}
