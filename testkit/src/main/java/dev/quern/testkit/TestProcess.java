package dev.quern.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process that a test started through {@link TestProcesses}: its standard output and error go
 * to one log file, which the test reads (for the line where the process reports the port it bound,
 * say) and which is kept when the test fails.
 */
public final class TestProcess {

  private final String name;
  private final Process process;
  private final Path log;

  TestProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file that holds this process's standard output and error. */
  public Path logFile() {
    return log;
  }

  /** What the process has written so far ("" before its first byte). */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process's standard input (a pipe unless the builder redirected it). */
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  /**
   * Waits for a line of the log that {@code pattern} finds, and returns the match. Fails as soon as
   * the process exits without writing one, or after {@code bound}, with the log's tail.
   */
  public Matcher awaitLine(Pattern pattern, Duration bound) {
    Matcher[] found = new Matcher[1];
    Await.until(bound,
        () -> name + " wrote no line matching /" + pattern + "/ within " + bound
            + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")")
            + "; log " + log + ":\n" + tail(40),
        () -> {
          boolean exited = !process.isAlive();
          for (String line : log().split("\n")) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
              found[0] = m;
              return true;
            }
          }
          if (exited) {
            throw new AssertionError(name + " exited with " + process.exitValue()
                + " before writing a line matching /" + pattern + "/; log " + log + ":\n" + tail(40));
          }
          return false;
        });
    return found[0];
  }

  /** Waits for the process to exit and returns its status; fails after {@code bound}. */
  public int awaitExit(Duration bound) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " (pid " + pid() + ") still running after " + bound
            + "; log " + log + ":\n" + tail(40));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + name, e);
    }
    return process.exitValue();
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String tail(int lines) {
    String[] all = log().split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }

  /**
   * SIGKILL to the process and every process under it. The descendants are listed before the
   * parent dies (after that they belong to init and no longer show as descendants), and each is
   * killed with its own descendants; then waits (bounded) until all are gone.
   */
  public void killTree() {
    killTree(process.toHandle());
  }

  static void killTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(root);
    root.descendants().forEach(all::add);
    for (ProcessHandle h : all) {
      h.destroyForcibly();
    }
    // A child may have forked between the listing and the kill of its parent.
    for (ProcessHandle h : all) {
      h.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // Still reported by isAlive(); the caller's check names it.
      }
    }
  }
}
