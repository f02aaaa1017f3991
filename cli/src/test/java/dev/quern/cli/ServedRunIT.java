package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quern} with its web UI on, as a process over the packaged build (run by failsafe after
 * {@code package}): the UI answers while the job runs, and when the command has exited the job's
 * output is committed and its history saved, though the command starts no JMX (bin/quern's Jetty
 * setting).
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ServedRunIT {
  private static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();
  private static final Pattern URL = Pattern.compile("^Quern UI: (http://127\\.0\\.0\\.1:(\\d+)/)$");
  /** How many ports after a taken one the UI tries (UiServer.PORT_TRIES). */
  private static final int PORT_TRIES = 20;
  private static final Duration START = Duration.ofMinutes(2);
  private static final Duration RUN = Duration.ofMinutes(3);
  private static final Duration HTTP_BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theUiServesWhileTheJobRunsAndTheHistoryIsSavedBeforeExit(TestProcesses procs)
      throws Exception {
    Path jar = TestJars.jarOf(dir.resolve("app.jar"), StdinGatedDriver.class);
    Path in = Files.writeString(dir.resolve("in.txt"), "a b\nb c\n");
    Path out = dir.resolve("out");
    Path history = dir.resolve("history");
    Path classLog = dir.resolve("classes.log");
    // Free a moment ago; should another process take it first, the command moves on to the next
    // free port and prints that one, so the printed URL is the one used, never this number.
    int probed = freePort();
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/quern").toString(), "submit",
        "--master", "local[1]", "--ui-port", String.valueOf(probed), "--history",
        history.toString(), jar.toString(), StdinGatedDriver.class.getName(), in.toString(),
        out.toString());
    pb.environment().put("QUERN_JAVA_OPTS", "-Xlog:class+load:file=" + classLog);
    TestProcess quern = procs.start("quern", pb);

    Matcher printed = quern.awaitLine(URL, START);
    String url = printed.group(1);
    assertThat(Integer.parseInt(printed.group(2))).as("the port of %s (probed %d)", url, probed)
        .isBetween(probed, Math.min(65535, probed + PORT_TRIES));
    // Logged so that a run can be checked for survivors after the test (ps -p PID).
    System.out.println("ServedRunIT: bin/quern pid " + quern.pid() + ", its processes "
        + quern.process().descendants().map(ProcessHandle::pid).toList());

    // The mapper waits for our line, so the command is still running while we ask.
    HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_BOUND).build();
    HttpResponse<String> page = get(http, url);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Quern</title>");
    HttpResponse<String> cluster = get(http, url + "api/v1/cluster");
    assertThat(cluster.statusCode()).isEqualTo(200);
    assertThat(cluster.body()).contains("\"workers\"");
    assertThat(quern.isAlive()).as("bin/quern, still held by its mapper").isTrue();

    try (OutputStream stdin = quern.stdin()) {
      stdin.write('\n');
    }
    int exit = quern.awaitExit(RUN);
    assertThat(exit).as("exit status of bin/quern; log %s:%n%s", quern.logFile(), quern.log())
        .isZero();

    assertThat(out.resolve("_SUCCESS")).isRegularFile();
    List<String> lines;
    try (Stream<Path> parts = Files.list(out)) {
      lines = parts.filter(f -> f.getFileName().toString().startsWith("part-"))
          .flatMap(f -> {
            try {
              return Files.readAllLines(f).stream();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }).sorted().toList();
    }
    assertThat(lines).containsExactly("a b\t1", "b c\t1");
    assertThat(Files.readString(history.resolve("job-0001.json")))
        .contains("\"state\":\"SUCCEEDED\"").contains("\"name\":\"gated\"");
    assertThat(Files.readString(classLog)).contains("org.eclipse.jetty.server.Server ")
        .doesNotContain("javax.management.MBeanServer ");
  }

  private static HttpResponse<String> get(HttpClient http, String url)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_BOUND).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
