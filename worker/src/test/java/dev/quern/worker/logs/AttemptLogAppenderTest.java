package dev.quern.worker.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The logback appender keeps each attempt's INFO+ lines in that attempt's log file. */
class AttemptLogAppenderTest {
  @Test
  void linesLoggedOnTwoAttemptsThreadsGoToTheirOwnLogFiles(@TempDir Path dir) throws Exception {
    assertTrue(AttemptLogAppender.install(), "logback is the binding in tests");
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1 << 20, Clock.systemUTC());
    Logger user = LoggerFactory.getLogger("com.acme.UserMapper");
    Thread[] threads = new Thread[2];
    for (int a = 0; a < 2; a++) {
      TaskAttemptId id = new TaskAttemptId("job-0003", TaskKind.MAP, a, 1);
      int n = a;
      threads[a] = new Thread(() -> {
        try (AttemptOutput o = logs.open(id)) {
          ThreadRouting.enter(o);
          for (int i = 0; i < 50; i++) {
            user.info("mapper {} line {}", n, i);
            user.debug("not kept: below INFO");
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        } finally {
          ThreadRouting.leave();
        }
      });
      threads[a].start();
    }
    user.info("not an attempt's line");
    for (Thread t : threads) {
      t.join();
    }
    for (int a = 0; a < 2; a++) {
      List<String> lines = Files.readAllLines(dir.resolve("job-0003")
          .resolve(TaskAttemptId.name(TaskKind.MAP, a) + "_1").resolve("log"));
      assertEquals(50, lines.size(), lines::toString);
      for (int i = 0; i < 50; i++) {
        assertTrue(lines.get(i).endsWith("INFO  [" + threads[a].getName()
            + "] com.acme.UserMapper - mapper " + a + " line " + i), lines.get(i));
      }
    }
  }
}
