package dev.quern.testkit.browser;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a browser test (or its {@code @AfterEach} checks) fails, saves a screenshot of the page as
 * {@code <dir>/failed-<test>.png} and names the file and the page's address in the failure
 * message.
 *
 * <pre>{@code
 * @RegisterExtension final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, dir);
 * }</pre>
 */
public final class ScreenshotOnFailure
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  private final Supplier<Browser> browser;
  private final Path dir;

  public ScreenshotOnFailure(Supplier<Browser> browser, Path dir) {
    this.browser = browser;
    this.dir = dir;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withScreenshot(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context,
      Throwable failure) throws Throwable {
    throw withScreenshot(context, failure);
  }

  private Throwable withScreenshot(ExtensionContext context, Throwable failure) {
    Browser b = browser.get();
    if (b == null) {
      return failure;
    }
    String name = "failed-" + context.getRequiredTestMethod().getName();
    String note;
    try {
      String url = b.driver.getCurrentUrl();
      note = "screenshot of " + url + ": " + b.screenshot(name).toAbsolutePath();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
      return failure;
    }
    AssertionError annotated = new AssertionError(failure.getMessage() + "\n" + note, failure);
    annotated.setStackTrace(failure.getStackTrace());
    return annotated;
  }
}
