package dev.quern.worker.actor;

import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which attempt each slot thread of this JVM is running, so that whoever sees a thread do
 * something drastic (call {@code System.exit}) can say which attempt it was.
 */
public final class RunningAttempts {
  private static final Map<Thread, TaskSpec> BY_THREAD = new ConcurrentHashMap<>();

  private RunningAttempts() {}

  static void started(TaskSpec spec) {
    BY_THREAD.put(Thread.currentThread(), spec);
  }

  static void ended() {
    BY_THREAD.remove(Thread.currentThread());
  }

  /** The attempt {@code thread} runs, if it is a slot thread running one. */
  public static Optional<TaskSpec> on(Thread thread) {
    return Optional.ofNullable(BY_THREAD.get(thread));
  }

  /** e.g. {@code attempt job-0001/m-00002/1 (input /data/a.txt:0+1024)}. */
  public static String describe(TaskSpec spec) {
    String input = spec instanceof MapTaskSpec m && m.split() != null
        ? " (input " + m.split().describe() + ")" : "";
    return "attempt " + spec.id() + input;
  }
}
