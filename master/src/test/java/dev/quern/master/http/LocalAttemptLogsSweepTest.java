package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local start sweeps the attempt logs of earlier runs; a finished run is walked once and then
 * only when something in it can have expired (its {@code .swept-until}), while a run whose
 * process still lives is walked every time.
 */
class LocalAttemptLogsSweepTest {
  private static final Duration RETENTION = Duration.ofDays(1);
  private static final long T = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();

  @TempDir Path tmp;

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    long millis = T;

    @Override public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  @Test
  void aFinishedRunIsWalkedAgainOnlyOnceSomethingInItCanHaveExpired() throws Exception {
    MovingClock clock = new MovingClock();
    LocalAttemptLogs logs = new LocalAttemptLogs(tmp.resolve("logs"), RETENTION, 1024, clock);
    Path run = tmp.resolve("logs").resolve("run-" + (T - 7_200_000) + "-" + deadPid());
    Path first = attempt(run, "m-00000_0", T - 3_600_000);

    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(first).isDirectory();
    long due = T - 3_600_000 + RETENTION.toMillis();
    assertThat(Files.readString(run.resolve(LocalAttemptLogs.SWEPT))).isEqualTo(Long.toString(due));

    // Put there behind the sweep's back: a walk would remove it at once; the marker says no
    // walk is due, and none happens.
    Path stale = attempt(run, "m-00001_0", T - 2 * RETENTION.toMillis());
    clock.millis = due;
    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(stale).isDirectory();

    clock.millis = due + 1;
    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(first).doesNotExist();
    assertThat(stale).doesNotExist();
    assertThat(run.resolve("job-0001/m-00000_0.expired")).exists();
    assertThat(Long.parseLong(Files.readString(run.resolve(LocalAttemptLogs.SWEPT))))
        .isEqualTo(due + 1 + RETENTION.toMillis());

    clock.millis = due + 2 + RETENTION.toMillis();
    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(run).doesNotExist();
  }

  @Test
  void aRunWhoseProcessLivesIsWalkedEveryTime() throws Exception {
    MovingClock clock = new MovingClock();
    LocalAttemptLogs logs = new LocalAttemptLogs(tmp.resolve("logs"), RETENTION, 1024, clock);
    // This JVM started before now, so a run of its pid stamped now may still be written.
    Path run = tmp.resolve("logs")
        .resolve("run-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid());
    Path fresh = attempt(run, "m-00000_0", T - 3_600_000);

    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(fresh).isDirectory();
    assertThat(run.resolve(LocalAttemptLogs.SWEPT)).doesNotExist();

    Path stale = attempt(run, "m-00001_0", T - 2 * RETENTION.toMillis());
    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(stale).doesNotExist();
    assertThat(fresh).isDirectory();
  }

  @Test
  void anUnreadableMarkerMeansWalk() throws Exception {
    MovingClock clock = new MovingClock();
    LocalAttemptLogs logs = new LocalAttemptLogs(tmp.resolve("logs"), RETENTION, 1024, clock);
    Path run = tmp.resolve("logs").resolve("run-" + (T - 7_200_000) + "-" + deadPid());
    Path stale = attempt(run, "m-00001_0", T - 2 * RETENTION.toMillis());
    Files.writeString(run.resolve(LocalAttemptLogs.SWEPT), "not a time");

    logs.sweep(tmp.resolve("logs/run-current"));
    assertThat(stale).doesNotExist();
    assertThat(run.resolve("job-0001/m-00001_0.expired")).exists();
  }

  /** An attempt's log directory with one file, both last written at {@code millis}. */
  private static Path attempt(Path run, String name, long millis) throws IOException {
    Path dir = run.resolve("job-0001").resolve(name);
    Files.createDirectories(dir);
    Path out = Files.writeString(dir.resolve("stdout"), "line\n");
    Files.setLastModifiedTime(out, FileTime.fromMillis(millis));
    Files.setLastModifiedTime(dir, FileTime.fromMillis(millis));
    return dir;
  }

  /** The pid of a process that has ended. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.pid();
  }
}
