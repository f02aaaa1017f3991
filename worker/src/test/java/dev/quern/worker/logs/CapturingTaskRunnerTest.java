package dev.quern.worker.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quern.api.Counters;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** In-process attempts: what the task prints and logs lands in its attempt's files. */
class CapturingTaskRunnerTest {
  @Test
  void anInProcessAttemptsOutputGoesToItsFiles(@TempDir Path dir) throws Exception {
    CapturingTaskRunner.install();
    AttemptLogs logs = new AttemptLogs(dir, Duration.ofDays(1), 1 << 20, Clock.systemUTC());
    TaskRunner printing = (spec, loader, progress) -> {
      System.out.println("out of " + spec.id());
      System.err.println("err of " + spec.id());
      LoggerFactory.getLogger("com.acme.Task").info("log of {}", spec.id());
      return new TaskResult(spec.id(), Counters.of(java.util.Map.of()), null);
    };
    TaskAttemptId id = new TaskAttemptId("job-0005", TaskKind.MAP, 1, 2);
    MapTaskSpec spec = new MapTaskSpec(id, null, null, dir.resolve("s").toString(), null);
    new CapturingTaskRunner(printing, logs).run(spec, getClass().getClassLoader(), f -> { });
    Path d = dir.resolve("job-0005/m-00001_2");
    assertEquals(List.of("out of " + id), Files.readAllLines(d.resolve("stdout")));
    assertEquals(List.of("err of " + id), Files.readAllLines(d.resolve("stderr")));
    List<String> log = Files.readAllLines(d.resolve("log"));
    assertEquals(1, log.size(), log::toString);
    assertEquals(true, log.get(0).endsWith("com.acme.Task - log of " + id), log.get(0));
    assertEquals(null, ThreadRouting.current());
  }
}
