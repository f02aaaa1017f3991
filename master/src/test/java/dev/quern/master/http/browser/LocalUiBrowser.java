package dev.quern.master.http.browser;

import dev.quern.master.http.UiTestCluster;
import dev.quern.testkit.browser.Browser;
import java.nio.file.Path;
import java.util.Map;

/**
 * A local cluster serving the UI and a headless Chromium to look at it: what the local-mode
 * browser tests start alike. {@link #close} closes the browser first, then the cluster, each even
 * if the other fails.
 */
final class LocalUiBrowser implements AutoCloseable {
  static final Path SHOTS = Path.of("target", "screenshots");

  final UiTestCluster ui;
  final Browser browser;

  private LocalUiBrowser(UiTestCluster ui, Browser browser) {
    this.ui = ui;
    this.browser = browser;
  }

  /**
   * Starts both under {@code dir}; {@code properties} are system properties set while the cluster
   * starts (as {@code QUERN_JAVA_OPTS} would give them, e.g. {@code quern.ui.login}) and cleared
   * after.
   */
  static LocalUiBrowser start(Path dir, Map<String, String> properties) {
    UiTestCluster ui;
    properties.forEach(System::setProperty);
    try {
      ui = new UiTestCluster(dir);
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
    try {
      return new LocalUiBrowser(ui, new Browser(SHOTS));
    } catch (RuntimeException e) {
      ui.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      ui.close();
    }
  }
}
