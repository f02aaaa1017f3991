package dev.quern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Every process a test starts, with its log. Whatever happens to the test, each process is killed
 * with its whole tree (SIGKILL, by pid) when the test ends; when the test fails, the logs stay under
 * {@code target/test-processes/<class>/<method>-<time>/} and the failure's message names that
 * directory. Passed tests leave nothing behind.
 *
 * <pre>{@code
 * @ExtendWith(TestProcesses.Extension.class)
 * class ServedRunIT {
 *   @Test
 *   void serves(TestProcesses procs) {
 *     TestProcess q = procs.start("quern", new ProcessBuilder("bin/quern", "ui", "--port", "0"));
 *     String url = q.awaitLine(Pattern.compile("Quern UI: (\\S+)"), Duration.ofSeconds(60)).group(1);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Let each process bind port 0 and report the port it got (as above), rather than probing for a
 * free port and hoping nobody takes it before the process binds.
 */
public final class TestProcesses implements AutoCloseable {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final Path logDir;
  private final List<TestProcess> started = new ArrayList<>();

  /** A group whose logs go to {@code logDir} (created if missing). */
  public TestProcesses(Path logDir) {
    this.logDir = logDir.toAbsolutePath();
    try {
      Files.createDirectories(this.logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A group with its own directory under {@code target/test-processes/<owner>/<what>-<time>}. */
  public static TestProcesses forTest(Class<?> owner, String what) {
    return new TestProcesses(Path.of("target", "test-processes", owner.getSimpleName(),
        what + "-" + LocalDateTime.now().format(STAMP)));
  }

  public Path logDir() {
    return logDir;
  }

  /**
   * Starts {@code builder} with its standard output and error appended to {@code <name>.log} in
   * this group's directory (so a restart under the same name keeps the earlier life's lines).
   */
  public synchronized TestProcess start(String name, ProcessBuilder builder) {
    Path log = logDir.resolve(name + ".log");
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      TestProcess p = new TestProcess(name, builder.start(), log);
      started.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + builder.command(), e);
    }
  }

  /** The processes started so far, in order, dead or alive. */
  public synchronized List<TestProcess> started() {
    return List.copyOf(started);
  }

  /** Kills every process of the group with its tree; safe to call more than once. */
  @Override
  public synchronized void close() {
    for (TestProcess p : started) {
      p.killTree();
    }
  }

  /** Removes the log directory (for a test that passed). */
  public void deleteLogs() {
    if (!Files.exists(logDir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(logDir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
      // The class's directory too, once no other test's logs are in it.
      try (Stream<Path> rest = Files.list(logDir.getParent())) {
        if (rest.findAny().isEmpty()) {
          Files.deleteIfExists(logDir.getParent());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Gives a test (or a {@code @BeforeAll}) a {@link TestProcesses} parameter, kills its processes
   * when the test (or class) ends, keeps the logs of a failure and names them in the failure.
   */
  public static final class Extension
      implements ParameterResolver, TestExecutionExceptionHandler, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NS =
        ExtensionContext.Namespace.create(TestProcesses.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == TestProcesses.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getStore(NS).getOrComputeIfAbsent("group",
          k -> forTest(context.getRequiredTestClass(),
              context.getTestMethod().map(Method::getName).orElse("class")),
          TestProcesses.class);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure)
        throws Throwable {
      TestProcesses group = find(context);
      if (group == null) {
        throw failure;
      }
      group.close();
      if (failure instanceof TestAbortedException) {
        // An unmet assumption skips the test; wrapping it would turn the skip into a failure.
        throw failure;
      }
      throw new AssertionError(
          java.util.Objects.toString(failure.getMessage(), failure.toString()) + "\n(process logs kept in " + group.logDir() + ")", failure);
    }

    @Override
    public void afterEach(ExtensionContext context) {
      end(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
      end(context);
    }

    private static TestProcesses find(ExtensionContext context) {
      for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
        TestProcesses g = c.getStore(NS).get("group", TestProcesses.class);
        if (g != null) {
          return g;
        }
      }
      return null;
    }

    private static void end(ExtensionContext context) {
      TestProcesses group = context.getStore(NS).remove("group", TestProcesses.class);
      if (group == null) {
        return;
      }
      group.close();
      List<String> alive = group.started().stream().filter(TestProcess::isAlive)
          .map(p -> p.name() + " (pid " + p.pid() + ")").toList();
      if (context.getExecutionException().isPresent() || !alive.isEmpty()) {
        System.err.println("process logs kept in " + group.logDir());
        if (!alive.isEmpty()) {
          throw new AssertionError("still alive after SIGKILL: " + alive
              + " (process logs kept in " + group.logDir() + ")");
        }
      } else {
        group.deleteLogs();
      }
    }
  }
}
