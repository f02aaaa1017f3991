package dev.quern.worker.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Why an executor JVM ended, in words an operator acts on. */
final class ExitReason {
  /** The line HotSpot prints on stderr when {@code -XX:+ExitOnOutOfMemoryError} ends it. */
  static final String OOM = "Terminating due to java.lang.OutOfMemoryError";

  private ExitReason() {}

  /**
   * @param endedBecause why the worker ended it (null: it ended by itself)
   * @param stderrTail the last lines of its stderr
   */
  static String describe(String jobId, long pid, int code, String endedBecause, String memory,
      List<String> stderrTail) {
    String who = "executor JVM " + pid + " of job " + jobId;
    String oom = stderrTail.stream().filter(l -> l.contains(OOM)).reduce((a, b) -> b)
        .orElse(null);
    if (oom != null) {
      return who + " ran out of memory (" + oom.substring(oom.indexOf("java.lang."))
          + "; heap " + memory + ", set " + ExecutorKeys.MEMORY + " for more)";
    }
    if (endedBecause != null) {
      return who + " was ended by the worker: " + endedBecause;
    }
    String crash = stderrTail.stream().filter(l -> l.startsWith("# A fatal error")).findFirst()
        .map(l -> " (the JVM crashed: " + String.join(" ", stderrTail.stream()
            .filter(x -> x.startsWith("#")).limit(6).toList()) + ")").orElse("");
    if (code > 128) {
      return who + " died of signal " + (code - 128) + " (exit code " + code + ")" + crash;
    }
    return who + " exited with code " + code + crash;
  }

  /** The reason label of {@code quern_worker_executors_ended_total} (see its help). */
  static String category(int code, String endedBecause, List<String> stderrTail) {
    if (stderrTail.stream().anyMatch(l -> l.contains(OOM))) {
      return "out_of_memory";
    }
    if (ExecutorProcess.JOB_ENDED.equals(endedBecause)) {
      return "job_ended";
    }
    if (endedBecause != null) {
      return "ended_by_worker";
    }
    return code > 128 ? "signal" : "exit";
  }

  /** The last {@code n} lines of {@code file} (a few KiB read from its end), or none. */
  static List<String> tail(Path file, int n) {
    try {
      long size = Files.size(file);
      byte[] b;
      try (var ch = Files.newByteChannel(file)) {
        long from = Math.max(0, size - 16 * 1024);
        ch.position(from);
        b = new byte[(int) (size - from)];
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
        while (buf.hasRemaining() && ch.read(buf) > 0) {
          // read on
        }
      }
      Deque<String> lines = new ArrayDeque<>();
      for (String l : new String(b, StandardCharsets.UTF_8).split("\n")) {
        lines.addLast(l);
        if (lines.size() > n) {
          lines.removeFirst();
        }
      }
      return List.copyOf(lines);
    } catch (IOException e) {
      return List.of();
    }
  }
}
