package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.http.login.LoginSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code quern.ui} section of the shipped {@code conf/quern.conf} (as {@link ConfDirTest}
 * checks the master's and the worker's): every key of the UI's login, commented out, with its
 * default.
 */
class UiConfTemplateTest {
  private static final Path TEMPLATE = Path.of(System.getProperty("quern.root", ".."))
      .resolve("conf").resolve(ConfDir.FILE);
  private static final Pattern SETTING = Pattern.compile("(?m)^(\\s*)#(?=[a-z])");

  @Test
  void theUiSectionUncommentedSetsEveryKeyToItsDefault() throws IOException {
    String text = Files.readString(TEMPLATE);
    var uncommented = ConfigFactory.parseString(SETTING.matcher(text).replaceAll("$1"));
    assertEquals(LoginSettings.defaultConfig().getConfig(LoginSettings.SECTION).root().unwrapped(),
        uncommented.getConfig(LoginSettings.SECTION).root().unwrapped(),
        LoginSettings.SECTION + " of " + TEMPLATE + " with every '#key = value' line uncommented");
    assertEquals(LoginSettings.defaults(), LoginSettings.from(ConfigFactory.parseString(text)),
        "as shipped, the template changes nothing");
  }
}
