package dev.quern.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The app is served from the jar and must work with no internet: every file that index.html
 * loads, directly or through ES module imports, is on the classpath, and no asset names a remote
 * URL.
 *
 * <p>What the files do in a browser (every state badge says its state in words and has its own
 * colour, the pages render without console errors) is tested in real Chromium by master's
 * {@code WebUiBrowserTest}, which serves them the way the master does.
 */
class AssetsTest {
  private static final String ROOT = "dev/quern/webui/";
  private static final Pattern HTML_REF = Pattern.compile("(?:src|href)=\"([^\"#]+)\"");
  /** Static imports and re-exports (over several lines too), bare imports, dynamic imports. */
  private static final Pattern IMPORT = Pattern.compile(
      "(?m)(?:^\\s*(?:import|export)\\b[^;'\"]*?\\bfrom\\s*|^\\s*import\\s*|\\bimport\\s*\\(\\s*)"
          + "['\"]([^'\"]+)['\"]");
  private static final Pattern REMOTE = Pattern.compile("(?i)(?:https?:)?//[a-z0-9.-]+\\.[a-z]{2,}");

  @Test
  void everyReferencedFileIsInTheJarAndNothingIsRemote() throws IOException {
    String index = read("index.html");
    Deque<String> todo = new ArrayDeque<>();
    Matcher m = HTML_REF.matcher(index);
    while (m.find()) {
      todo.add(m.group(1));
    }
    assertThat(todo).contains("app.js", "style.css");
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String path = normalize(todo.pop());
      if (!seen.add(path)) {
        continue;
      }
      String text = read(path);
      assertThat(REMOTE.matcher(text).results().map(r -> r.group())
          .filter(u -> !u.endsWith("//www.w3.org")).toList()) // XML namespace names, never fetched
          .as("remote URLs in %s", path).isEmpty();
      if (path.endsWith(".js")) {
        Matcher imports = IMPORT.matcher(text);
        while (imports.find()) {
          String target = imports.group(1);
          assertThat(target).as("import in %s", path).startsWith(".");
          todo.add(resolve(path, target));
        }
      }
    }
    assertThat(seen).contains("app.js", "api.js", "dom.js", "format.js", "gantt.js",
        "pages/overview.js", "pages/jobs.js", "pages/job.js", "pages/worker.js", "style.css",
        "favicon.svg");
  }

  private static String resolve(String from, String target) {
    int slash = from.lastIndexOf('/');
    String base = slash < 0 ? "" : from.substring(0, slash + 1);
    return base + target;
  }

  private static String normalize(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : path.split("/")) {
      if (p.equals("..")) {
        parts.removeLast();
      } else if (!p.equals(".") && !p.isEmpty()) {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }

  private static String read(String path) throws IOException {
    try (InputStream in = AssetsTest.class.getClassLoader().getResourceAsStream(ROOT + path)) {
      assertThat(in).as("asset %s on the classpath", path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
