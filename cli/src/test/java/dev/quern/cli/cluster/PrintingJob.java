package dev.quern.cli.cluster;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A map-only job whose mappers say who they are on every channel a task has: {@code
 * System.out} (twice, and once from a thread the mapper starts), {@code System.err}, and an slf4j
 * logger ({@link #lines}). Each map attempt then writes {@code started-<index>} (its pid) into
 * the gate directory and waits while {@code hold} exists there, so a test sees the job running.
 * {@code PrintingJob IN OUT GATE_DIR}: exits 0 only when the job succeeded.
 */
public final class PrintingJob {
  static final String GATE = "test.gate.dir";
  static final String LOGGER = "com.example.PrintingMapper";

  private PrintingJob() {}

  public static void main(String[] args) throws Exception {
    JobStatus s = Job.builder("printing")
        .input(args[0])
        .output(args[1])
        .mapper(Printing.class)
        .mapOutput(String.class, Long.class)
        .reduceTasks(0)
        .set(GATE, args[2])
        .build()
        .waitForCompletion();
    System.out.println("printing " + s.id() + " " + s.state());
    System.exit(s.succeeded() ? 0 : 1);
  }

  /** What attempt {@code attempt} writes: stdout lines, stderr lines, log messages. */
  static String[][] lines(String attempt) {
    return new String[][] {
        {"stdout of " + attempt + " line 1", "stdout of " + attempt + " line 2",
            "stdout of " + attempt + " from a thread it started"},
        {"stderr of " + attempt + " line 1"},
        {"log of " + attempt + " line 1", "log of " + attempt + " line 2"}};
  }

  public static final class Printing implements Mapper<Long, String, String, Long> {
    @Override
    public void setup(Context<String, Long> context) throws Exception {
      String[][] l = lines(context.attemptId());
      System.out.println(l[0][0]);
      System.out.println(l[0][1]);
      Thread child = new Thread(() -> System.out.println(l[0][2]));
      child.start();
      child.join();
      System.err.println(l[1][0]);
      Logger log = LoggerFactory.getLogger(LOGGER);
      log.info(l[2][0]);
      log.warn(l[2][1]);
      log.debug("not kept: below INFO");
      Path gate = Path.of(context.configuration().require(GATE));
      Files.writeString(gate.resolve("started-" + context.taskIndex() + "-"
          + context.attemptId().replaceAll("[^A-Za-z0-9_.-]", "_")),
          Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
      long deadline = System.nanoTime() + 240_000_000_000L;
      while (Files.exists(gate.resolve("hold")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
        context.progress();
      }
    }

    @Override
    public void map(Long offset, String line, Context<String, Long> context) {
      context.emit(line, 1L);
    }
  }
}
