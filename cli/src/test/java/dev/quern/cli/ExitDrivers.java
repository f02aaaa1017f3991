package dev.quern.cli;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Drivers for the tests of a JVM that exits under its jobs: {@code MODE IN OUT [MARK]}.
 *
 * <ul>
 *   <li>{@code task-exit}: the mapper calls {@code System.exit(3)} on its first record.
 *   <li>{@code block}: the mapper creates MARK, then waits until it is interrupted (killed).
 *   <li>{@code driver-exit}: the job succeeds, then the driver calls {@code System.exit(0)}.
 * </ul>
 */
public final class ExitDrivers {
  private ExitDrivers() {}

  public static void main(String[] args) throws Exception {
    Class<? extends Mapper<Long, String, String, Long>> mapper = switch (args[0]) {
      case "task-exit" -> Exiting.class;
      case "block" -> Blocking.class;
      default -> Counting.class;
    };
    Job.Builder b = Job.builder(args[0]).input(args[1]).output(args[2]).mapper(mapper)
        .mapOutput(String.class, Long.class).reduceTasks(1);
    if (args.length > 3) {
      b.set("test.mark", args[3]);
    }
    JobStatus s = b.build().waitForCompletion();
    if (args[0].equals("driver-exit")) {
      System.exit(s.succeeded() ? 0 : 1);
    }
  }

  public static final class Exiting implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      System.exit(3);
    }
  }

  public static final class Blocking implements Mapper<Long, String, String, Long> {
    @Override
    public void setup(Context<String, Long> ctx) throws Exception {
      Files.writeString(Path.of(ctx.configuration().require("test.mark")), "started");
      new CountDownLatch(1).await();
    }

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {}
  }

  public static final class Counting implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      ctx.emit(line, 1L);
    }
  }
}
