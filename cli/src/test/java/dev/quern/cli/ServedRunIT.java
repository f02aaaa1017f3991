package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quern} with its web UI on, as a process over the packaged build (run by failsafe after
 * {@code package}): the UI answers while the job runs, and when the command has exited the job's
 * output is committed and its history saved, though the command starts no JMX (bin/quern's Jetty
 * setting).
 */
class ServedRunIT {
  private static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();

  @TempDir Path dir;

  @Test
  void theUiServesWhileTheJobRunsAndTheHistoryIsSavedBeforeExit() throws Exception {
    Path jar = TestJars.jarOf(dir.resolve("app.jar"), StdinGatedDriver.class);
    Path in = Files.writeString(dir.resolve("in.txt"), "a b\nb c\n");
    Path out = dir.resolve("out");
    Path history = dir.resolve("history");
    Path classLog = dir.resolve("classes.log");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/quern").toString(), "submit",
        "--master", "local[1]", "--ui-port", String.valueOf(port), "--history", history.toString(),
        jar.toString(), StdinGatedDriver.class.getName(), in.toString(), out.toString());
    pb.environment().put("QUERN_JAVA_OPTS", "-Xlog:class+load:file=" + classLog);
    pb.redirectError(dir.resolve("stderr.txt").toFile());
    Process p = pb.start();
    try {
      BufferedReader stdout = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String first = stdout.readLine();
      assertThat(first).as("first line; stderr: %s", stderr()).startsWith("Quern UI: ");
      String url = first.substring("Quern UI: ".length());

      // The mapper waits for our line, so the command is still running while we ask.
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>Quern</title>");
      HttpResponse<String> cluster = http.send(HttpRequest.newBuilder(
          URI.create(url + "api/v1/cluster")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(cluster.statusCode()).isEqualTo(200);
      assertThat(cluster.body()).contains("\"workers\"");
      assertThat(p.isAlive()).isTrue();

      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write('\n');
      }
      String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as("stdout: %s; stderr: %s", rest, stderr()).isZero();
    } finally {
      p.destroyForcibly();
    }

    assertThat(Files.exists(out.resolve("_SUCCESS"))).isTrue();
    List<String> lines;
    try (var parts = Files.list(out)) {
      lines = parts.filter(f -> f.getFileName().toString().startsWith("part-"))
          .flatMap(f -> {
            try {
              return Files.readAllLines(f).stream();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).sorted().toList();
    }
    assertThat(lines).containsExactly("a b\t1", "b c\t1");
    assertThat(Files.readString(history.resolve("job-0001.json")))
        .contains("\"state\":\"SUCCEEDED\"").contains("\"name\":\"gated\"");
    assertThat(Files.readString(classLog)).contains("org.eclipse.jetty.server.Server ")
        .doesNotContain("javax.management.MBeanServer ");
  }

  private String stderr() throws java.io.IOException {
    Path f = dir.resolve("stderr.txt");
    return Files.exists(f) ? Files.readString(f) : "";
  }
}
