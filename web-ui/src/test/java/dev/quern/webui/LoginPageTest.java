package dev.quern.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The login page as the master serves it: its files are on the classpath, it fetches nothing
 * remote, needs no script, posts the user and password (never in the URL) to {@code /login}, and
 * holds the place the server puts its message in. Master's {@code LoginBrowserTest} uses it in
 * Chromium.
 */
class LoginPageTest {
  private static final String ROOT = "dev/quern/webui/";

  @Test
  void aPlainFormThatPostsToLoginWithItsFilesInTheJar() throws IOException {
    String page = read("login.html");
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"#]+)\"").matcher(page);
    int n = 0;
    while (refs.find()) {
      String ref = refs.group(1);
      assertThat(ref).as("a relative reference").doesNotContain("//").doesNotStartWith("/");
      read(ref);
      n++;
    }
    assertThat(n).as("style.css and favicon.svg").isEqualTo(2);
    assertThat(page).contains("<form class=\"login card\" id=\"login-form\" method=\"post\" "
        + "action=\"/login\"");
    assertThat(page).contains("name=\"user\"").contains("name=\"password\" type=\"password\"");
    assertThat(page).contains("<!--MESSAGE-->");
    assertThat(page).doesNotContain("<script").doesNotContain("method=\"get\"");
    assertThat(page).doesNotContain("no-referrer"); // it would make the form's Origin 'null'
  }

  private static String read(String path) throws IOException {
    try (InputStream in = LoginPageTest.class.getClassLoader().getResourceAsStream(ROOT + path)) {
      assertThat(in).as("%s on the classpath", ROOT + path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
