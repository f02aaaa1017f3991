package dev.quern.master.http.login;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The web UI's login settings, the {@value #SECTION} section (defaults in {@code
 * ui-defaults.conf} next to this class). A master reads them from its configuration file; a
 * local-mode UI from the JVM's system properties ({@code QUERN_JAVA_OPTS="-Dquern.ui.login=required
 * -Dquern.ui.password-file=..."}).
 *
 * @param passwordFile the users' file, or null: only the cluster's client token logs in
 * @param idleTimeout a session unused for this long ends
 * @param maxAge a session ends this long after its login
 */
public record LoginSettings(LoginMode mode, Path passwordFile, Duration idleTimeout,
    Duration maxAge) {
  public static final String SECTION = "quern.ui";

  public LoginSettings {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException(SECTION + ".session.idle-timeout: must be positive, got "
          + idleTimeout);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException(SECTION + ".session.max-age: must be positive, got "
          + maxAge);
    }
  }

  public static Config defaultConfig() {
    return ConfigFactory.parseResources(LoginSettings.class, "ui-defaults.conf");
  }

  /** The defaults: auto, no password file, 30 minutes idle, 12 hours at most. */
  public static LoginSettings defaults() {
    return from(ConfigFactory.empty());
  }

  /** The section of {@code root} over the defaults; errors name the key. */
  public static LoginSettings from(Config root) {
    Config c = root.withFallback(defaultConfig()).getConfig(SECTION);
    try {
      String file = c.getString("password-file").trim();
      return new LoginSettings(LoginMode.parse(SECTION + ".login", c.getString("login")),
          file.isEmpty() ? null : Path.of(file), c.getDuration("session.idle-timeout"),
          c.getDuration("session.max-age"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The {@value #SECTION} keys among the JVM's system properties, over the defaults. */
  public static LoginSettings fromSystemProperties() {
    java.util.Properties ours = new java.util.Properties();
    System.getProperties().forEach((k, v) -> {
      if (String.valueOf(k).startsWith(SECTION + ".")) {
        ours.put(k, v);
      }
    });
    return from(ConfigFactory.parseProperties(ours));
  }

  public LoginSettings withMode(LoginMode m) {
    return new LoginSettings(m, passwordFile, idleTimeout, maxAge);
  }

  public LoginSettings withPasswordFile(Path f) {
    return new LoginSettings(mode, f, idleTimeout, maxAge);
  }
}
