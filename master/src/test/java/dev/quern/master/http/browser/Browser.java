package dev.quern.master.http.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven through {@code /usr/bin/chromedriver}, never Selenium Manager
 * (it would try the network). A fresh profile per browser; a laptop-sized window.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Generous: Chromium shares two cores with the cluster, the build and other JVMs. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private final Path profile;
  private final Path screenshots;
  final ChromeDriver driver;

  Browser(Path screenshots) {
    for (Path p : List.of(CHROMEDRIVER, CHROMIUM)) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(p + " is missing: apt-get install -y chromium "
            + "chromium-driver (the browser tests do not skip)");
      }
    }
    this.screenshots = screenshots;
    try {
      this.profile = Files.createTempDirectory("quern-chromium-");
      Files.createDirectories(screenshots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1440,900", "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
  }

  /**
   * Loads {@code url} into a fresh document (by way of about:blank, since a new hash alone would
   * keep the app and what it remembers of the last test's clicks) and waits until the app has
   * rendered the page of that address.
   */
  void open(String url) {
    driver.get("about:blank");
    driver.get(url);
    awaitRendered();
  }

  /**
   * Waits until the app has drawn the page of the current address: app.js sets {@code
   * data-rendered} on {@code #page} to the hash it rendered, after the data arrived (or as an
   * error). What is absent can only be counted after this.
   */
  void awaitRendered() {
    await("the app to render the page of " + driver.getCurrentUrl(), d -> Boolean.TRUE.equals(
        js("const m = document.getElementById('page');"
            + " return m !== null && m.dataset.rendered === (location.hash || '#/');")));
  }

  /** Waits for a condition; the failure message names what was awaited. */
  <T> T await(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).withMessage(what)
        .ignoring(StaleElementReferenceException.class).until(condition);
  }

  /** The element's text; retried when a live refresh replaced the element meanwhile. */
  String text(By by) {
    return await("text of " + by, d -> d.findElement(by).getText());
  }

  /** Clicks the element; retried when a live refresh replaced it meanwhile. */
  void click(By by) {
    await("click on " + by, d -> {
      d.findElement(by).click();
      return true;
    });
  }

  /**
   * How many elements match on the rendered page (it waits for {@link #awaitRendered()} first, so
   * a zero is not the page before it drew); retried when a live refresh replaced them meanwhile.
   */
  int count(By by) {
    awaitRendered();
    return await("count of " + by, d -> d.findElements(by).size());
  }

  WebElement awaitVisible(String what, By by) {
    return await(what, d -> {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    });
  }

  Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** A screenshot of the whole page (the window grows to the page's height for it). */
  Path screenshot(String name) {
    long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
    driver.manage().window().setSize(new Dimension(1440, (int) Math.min(Math.max(height + 100,
        900), 4000)));
    File shot;
    try {
      shot = driver.getScreenshotAs(OutputType.FILE);
    } finally {
      driver.manage().window().setSize(new Dimension(1440, 900));
    }
    Path target = screenshots.resolve(name + ".png");
    try {
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /**
   * Console errors of the page (uncaught exceptions, failed loads) since the last call: each as
   * Chromium wrote it, e.g. {@code http://127.0.0.1:4242/api/v1/jobs/job-9999 - Failed to load
   * resource: the server responded with a status of 404 (Not Found)}.
   */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp profile left behind is harmless
      }
    }
  }

}
