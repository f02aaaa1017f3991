package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The web UI of a FOLLOWER master of a secured cluster (three master processes and a worker, all
 * with the cluster's credentials; the masters with a UI password file), in real headless Chromium
 * over HTTPS: the browser accepts exactly the certificates the follower presents (signed by the
 * cluster's own CA). A page without a session goes to the login page; the user logs in at the
 * follower, sees the worker on the Workers page (data the follower asks the leader for), and
 * opens an attempt's stdout link of a finished job from the job page: the new tab, on the
 * follower's own origin, shows exactly the lines the task printed.
 */
@Timeout(600)
@ExtendWith({TestProcesses.Extension.class, Seeds.class})
class SecuredFollowerUiBrowserTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String PASSWORD = "the follower's operator passphrase";

  private Browser browser;

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, SHOTS);

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  /** The masters with the fixture's configuration plus the UI's password file. */
  private static Placement secured(Path security, Path users) {
    return new Placement() {
      @Override
      public String masterHost(String id) {
        return "127.0.0.1";
      }

      @Override
      public List<String> command(String id, List<String> quern) {
        List<String> cmd = new ArrayList<>(quern);
        int at = cmd.indexOf("--config");
        if (at >= 0 && cmd.contains("master")) {
          Path fixture = Path.of(cmd.get(at + 1));
          Path withUi = fixture.resolveSibling("with-ui.conf");
          try {
            Files.writeString(withUi, Files.readString(fixture) + "\nquern.ui.password-file = \""
                + users + "\"\n");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          cmd.set(at + 1, withUi.toString());
        }
        return cmd;
      }

      @Override
      public List<String> extraArgs(String id) {
        return List.of("--security", security.toString());
      }

      @Override
      public Path credentials() {
        return security;
      }
    };
  }

  /** The certificates {@code hostPort} presents, as a client trusting the cluster's CA sees them. */
  private static List<Certificate> chainOf(Path security, String hostPort) throws IOException {
    URI at = URI.create("https://" + hostPort);
    try (SSLSocket s = (SSLSocket) ClusterCredentials.trustContext(security).getSocketFactory()
        .createSocket(at.getHost(), at.getPort())) {
      s.startHandshake();
      return List.of(s.getSession().getPeerCertificates());
    }
  }

  @Test
  void aUserLogsInAtAFollowerSeesTheWorkersAndOpensAnAttemptsLog(@TempDir Path tmp,
      TestProcesses procs, Seed seed) throws Exception {
    Path security = tmp.resolve("security");
    CredentialsInit.create(security, List.of());
    Path users = tmp.resolve("ui-users");
    PasswordFile.put(users, "ops", PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS,
        new SecureRandom());
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"), procs, 2,
        ClusterFixture.WORKER_TIMEOUT, secured(security, users), "w1");

    // A job that ran: two maps that print known lines (no gate to hold them).
    Path jar = ClusterFixture.jarOfClass(tmp.resolve("printing.jar"), PrintingJob.class);
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 2, 20);
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Set<String> before = cluster.jobIds();
    TestProcess client = cluster.submit("client-printing", jar, PrintingJob.class.getName(),
        in.toString(), tmp.resolve("out").toString(), gate.toString());
    assertThat(client.awaitExit(JOB)).as(client.tail(60)).isZero();
    String job = cluster.awaitNewJob(before);
    String attempt = job + "/m-00000/1";

    Await.until(START, "a leader", () -> cluster.leader().isPresent());
    String leader = cluster.leader().orElseThrow();
    String follower = cluster.httpPort.keySet().stream().filter(m -> !m.equals(leader))
        .findFirst().orElseThrow();
    String origin = cluster.http(follower);
    String base = "https://" + origin;
    browser = new Browser(SHOTS, List.of(Browser.acceptingCertificatesOf(
        chainOf(security, origin))));

    browser.driver.get(base + "/#/workers");
    browser.awaitVisible("the follower's login form", By.id("login-form"));
    assertThat(URI.create(browser.driver.getCurrentUrl()).getPath()).isEqualTo("/login");
    assertThat(browser.driver.getCurrentUrl()).startsWith(base);
    browser.driver.findElement(By.id("user")).sendKeys("ops");
    browser.driver.findElement(By.id("password")).sendKeys(PASSWORD);
    browser.click(By.id("login-submit"));
    browser.awaitVisible("the app after the login", By.id("page"));
    assertThat(URI.create(browser.driver.getCurrentUrl()).getPath()).isEqualTo("/");

    browser.open(base + "/#/workers");
    assertThat(browser.awaitVisible("w1 on the Workers page",
        By.cssSelector("#cluster-workers tr[data-worker='w1']")).getText())
        .contains("w1").contains("of 2");
    assertThat(browser.text(By.cssSelector(".workers p.muted"))).contains("leader " + leader);
    assertThat(browser.awaitVisible("who is logged in", By.id("session-user")).getText())
        .isEqualTo("ops");
    browser.screenshot("secured-follower-workers");

    browser.open(base + "/#/jobs/" + job);
    browser.awaitVisible("the job, succeeded", By.cssSelector(".job[data-state='SUCCEEDED']"));
    String main = browser.driver.getWindowHandle();
    browser.click(By.cssSelector("#tasks tr[data-attempt='" + attempt
        + "'] a[data-log='stdout']"));
    String tab = browser.await("the log's tab", d -> d.getWindowHandles().stream()
        .filter(w -> !w.equals(main)).findFirst().orElse(null));
    browser.driver.switchTo().window(tab);
    String[] printed = PrintingJob.lines(attempt)[0];
    String shown = browser.await("the attempt's stdout in its tab", d -> {
      String text = d.findElement(By.tagName("body")).getText();
      return text.contains(printed[0]) ? text : null;
    });
    assertThat(shown).isEqualTo(String.join("\n", printed));
    URI log = URI.create(browser.driver.getCurrentUrl());
    assertThat(log.getScheme() + "://" + log.getAuthority()).as("served by the follower itself")
        .isEqualTo(base);
    assertThat(log.getPath()).isEqualTo("/api/v1/jobs/" + job + "/attempts/m-00000_1/logs/stdout");
    browser.screenshot("secured-follower-attempt-log");
    browser.driver.close();
    browser.driver.switchTo().window(main);
    assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
  }
}
