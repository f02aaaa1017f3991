package dev.quern.worker.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several attempts print at once through one routed System.out/System.err pair: each attempt's
 * files hold exactly its own lines (and those of a thread it started), in order; an unmarked
 * thread's lines go to the fallback only.
 */
class ThreadRoutingTest {
  private static final int ATTEMPTS = 6;
  private static final int LINES = 2_000;

  @Test
  void concurrentAttemptsEachGetExactlyTheirOwnLines(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1 << 20, Clock.systemUTC());
    ByteArrayOutputStream fallbackBytes = new ByteArrayOutputStream();
    PrintStream fallback = new PrintStream(fallbackBytes, true, StandardCharsets.UTF_8);
    PrintStream out = ThreadRouting.routing(LogStream.STDOUT, fallback);
    PrintStream err = ThreadRouting.routing(LogStream.STDERR, fallback);
    CyclicBarrier start = new CyclicBarrier(ATTEMPTS + 1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int a = 0; a < ATTEMPTS; a++) {
      TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.MAP, a, 1);
      int n = a;
      Thread t = new Thread(() -> {
        try (AttemptOutput o = logs.open(id)) {
          ThreadRouting.enter(o);
          start.await();
          // A thread the task starts inherits the mark.
          Thread child = new Thread(() -> out.println("child of " + n));
          child.start();
          for (int i = 0; i < LINES; i++) {
            out.println("out " + n + " " + i);
            err.println("err " + n + " " + i);
          }
          child.join();
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          ThreadRouting.leave();
        }
      });
      threads.add(t);
      t.start();
    }
    start.await();
    for (int i = 0; i < 100; i++) {
      out.println("unmarked " + i);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(errors.isEmpty(), errors::toString);
    for (int a = 0; a < ATTEMPTS; a++) {
      Path d = dir.resolve("job-0001").resolve(TaskAttemptId.name(TaskKind.MAP, a) + "_1");
      List<String> outLines = Files.readAllLines(d.resolve("stdout"));
      List<String> errLines = Files.readAllLines(d.resolve("stderr"));
      List<String> expectedOut = new ArrayList<>();
      List<String> expectedErr = new ArrayList<>();
      for (int i = 0; i < LINES; i++) {
        expectedOut.add("out " + a + " " + i);
        expectedErr.add("err " + a + " " + i);
      }
      assertTrue(outLines.remove("child of " + a), "attempt " + a + ": " + outLines.size());
      assertEquals(expectedOut, outLines, "stdout of attempt " + a);
      assertEquals(expectedErr, errLines, "stderr of attempt " + a);
      assertFalse(Files.exists(d.resolve("log")), "nothing logged: no file");
    }
    List<String> unmarked = fallbackBytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(100, unmarked.size(), () -> unmarked.subList(0, Math.min(5, unmarked.size()))
        .toString());
    assertTrue(unmarked.stream().allMatch(l -> l.startsWith("unmarked ")));
  }

  @Test
  void aThreadWritingAfterItsAttemptEndedWritesToTheFallback(@TempDir Path dir) throws Exception {
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1 << 20, Clock.systemUTC());
    ByteArrayOutputStream fallbackBytes = new ByteArrayOutputStream();
    PrintStream out = ThreadRouting.routing(LogStream.STDOUT,
        new PrintStream(fallbackBytes, true, StandardCharsets.UTF_8));
    TaskAttemptId id = new TaskAttemptId("job-0002", TaskKind.REDUCE, 0, 3);
    AttemptOutput o = logs.open(id);
    Thread t = new Thread(() -> {
      ThreadRouting.enter(o);
      out.println("during");
      o.close();
      out.println("after");
    });
    t.start();
    t.join();
    assertEquals(List.of("during"), Files.readAllLines(
        dir.resolve("job-0002").resolve("r-00000_3").resolve("stdout")));
    assertEquals("after", fallbackBytes.toString(StandardCharsets.UTF_8).trim());
    assertFalse(ThreadRouting.current() != null);
  }
}
