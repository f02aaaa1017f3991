package dev.quern.testkit.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
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
public final class Browser implements AutoCloseable {
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Generous: Chromium shares two cores with the cluster, the build and other JVMs. */
  public static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * How often a wait asks again. Selenium's default is 500 ms, so every wait whose condition did
   * not hold at the first look cost up to half a second after it came true; a question is one
   * small script run through chromedriver, a few milliseconds.
   */
  public static final Duration POLL = Duration.ofMillis(50);

  private final Path profile;
  private final Path screenshots;
  public final ChromeDriver driver;

  public Browser(Path screenshots) {
    this(screenshots, List.of());
  }

  /**
   * With {@code extraArguments} for Chromium besides the fixed ones, e.g. {@link
   * #acceptingCertificatesOf} for a server whose certificate no public CA signed.
   */
  public Browser(Path screenshots, List<String> extraArguments) {
    this(screenshots, extraArguments, false);
  }

  /**
   * With {@code backForwardCache} true, Chromium keeps the pages it leaves in its back/forward
   * cache, as a user's browser does (the other constructors turn the cache off): for tests of what
   * a left page still holds, and of a page restored by going back.
   */
  public Browser(Path screenshots, List<String> extraArguments, boolean backForwardCache) {
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
    if (!backForwardCache) {
      options.addArguments("--disable-features=BackForwardCache");
    }
    // No back/forward cache: open() leaves each page for about:blank, and a cached page kept
    // its event stream open; at six such streams (Chromium's connections per host) the next
    // page load waited ~50 s for one to go. The tests never go back, so nothing is lost.
    options.addArguments(extraArguments);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
  }

  /**
   * The Chromium argument that makes it accept TLS certificates with exactly these public keys
   * ({@code --ignore-certificate-errors-spki-list}: base64 SHA-256 of each SubjectPublicKeyInfo),
   * say the chain a secured cluster's master presents (its CA is the cluster's own, which
   * Chromium's store does not hold). Any other certificate is still checked as usual.
   */
  public static String acceptingCertificatesOf(List<? extends Certificate> chain) {
    List<String> pins = new java.util.ArrayList<>();
    for (Certificate c : chain) {
      try {
        pins.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
            .digest(c.getPublicKey().getEncoded())));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("no SHA-256 in this JVM", e);
      }
    }
    return "--ignore-certificate-errors-spki-list=" + String.join(",", pins);
  }

  /**
   * Loads {@code url} into a fresh document (by way of about:blank, since a new hash alone would
   * keep the app and what it remembers of the last test's clicks) and waits until the app has
   * rendered the page of that address.
   */
  public void open(String url) {
    driver.get("about:blank");
    driver.get(url);
    awaitRendered();
  }

  /**
   * Waits until the app has drawn the page of the current address: app.js sets {@code
   * data-rendered} on {@code #page} to the hash it rendered, after the data arrived (or as an
   * error). What is absent can only be counted after this.
   */
  public void awaitRendered() {
    await("the app to render the page of " + driver.getCurrentUrl(), d -> Boolean.TRUE.equals(
        js("const m = document.getElementById('page');"
            + " return m !== null && m.dataset.rendered === (location.hash || '#/');")));
  }

  /** Waits for a condition; the failure message names what was awaited. */
  public <T> T await(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT, POLL).withMessage(what)
        .ignoring(StaleElementReferenceException.class).until(condition);
  }

  /** The element's text; retried when a live refresh replaced the element meanwhile. */
  public String text(By by) {
    return await("text of " + by, d -> d.findElement(by).getText());
  }

  /** Clicks the element; retried when a live refresh replaced it meanwhile. */
  public void click(By by) {
    await("click on " + by, d -> {
      d.findElement(by).click();
      return true;
    });
  }

  /**
   * How many elements match on the rendered page (it waits for {@link #awaitRendered()} first, so
   * a zero is not the page before it drew); retried when a live refresh replaced them meanwhile.
   */
  public int count(By by) {
    awaitRendered();
    return await("count of " + by, d -> d.findElements(by).size());
  }

  public WebElement awaitVisible(String what, By by) {
    return await(what, d -> {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    });
  }

  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** A screenshot of the whole page (the window grows to the page's height for it). */
  public Path screenshot(String name) {
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
  public List<String> consoleErrors() {
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
