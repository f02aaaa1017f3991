package dev.quern.testkit;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A randomized test's seed, replayable from the command line. Register the extension and take a
 * {@link Seed} parameter; the seed is {@code -Dquern.test.seed=N} when given, a fresh one otherwise.
 * When the test fails, the failure's message starts with the seed and the command that replays it.
 *
 * <pre>{@code
 * @ExtendWith(Seeds.class)
 * class SortOrderTest {
 *   @Test
 *   void sortsLikeArraysSort(Seed seed) {
 *     SplittableRandom rnd = seed.random();
 *     ...
 *   }
 * }
 * }</pre>
 *
 * A test that draws many cases derives them from this one seed, so one number replays all of them.
 */
public final class Seeds implements ParameterResolver, TestExecutionExceptionHandler {

  /** The system property that fixes the seed of every randomized test in a run. */
  public static final String PROPERTY = "quern.test.seed";

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Seeds.class);

  /**
   * The seed of this run: the property's value, or one drawn from the clock. Also usable without
   * the extension (in a {@code @BeforeAll}, say); then say {@link #replay} in your own failures.
   */
  public static long fromPropertyOrFresh() {
    String fixed = System.getProperty(PROPERTY);
    if (fixed != null && !fixed.isBlank()) {
      try {
        return Long.parseLong(fixed.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + PROPERTY + " must be a long, was '" + fixed + "'", e);
      }
    }
    return new SplittableRandom(System.nanoTime() ^ System.currentTimeMillis() * 31).nextLong();
  }

  /**
   * The command that replays {@code testClass#method} with {@code seed}, from the repository root
   * (the test JVM runs in its module's directory, which names the module).
   */
  public static String replay(Class<?> testClass, String method, long seed) {
    String test = testClass.getSimpleName() + (method == null ? "" : "#" + method);
    String module = java.nio.file.Path.of("").toAbsolutePath().getFileName().toString();
    boolean it = testClass.getSimpleName().endsWith("IT");
    String select = it
        ? "verify -Dit.test='" + test + "' -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
        : "test -Dtest='" + test + "' -Dsurefire.failIfNoSpecifiedTests=false";
    return "seed " + seed + "; replay with: mvn -B -ntp -pl " + module + " -am " + select + " -D"
        + PROPERTY + "=" + seed;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Seed.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return store(context).getOrComputeIfAbsent("seed", k -> new Seed(fromPropertyOrFresh()), Seed.class);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    Seed seed = store(context).get("seed", Seed.class);
    if (seed == null) {
      throw failure;
    }
    String method = context.getTestMethod().map(Method::getName).orElse(null);
    AssertionError withSeed = new AssertionError(
        replay(context.getRequiredTestClass(), method, seed.value()) + "\n"
            + Optional.ofNullable(failure.getMessage()).orElse(failure.toString()), failure);
    throw withSeed;
  }

  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(NS);
  }
}
