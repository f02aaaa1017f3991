package dev.quern.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of a cluster process: its flags over the {@code --config} file (without one,
 * the configuration directory's {@code quern.conf}, {@link ConfDir}) over the defaults. A flag's
 * key is its name in the process's section ({@code --worker-timeout 3s} is
 * {@code quern.master.worker-timeout = 3s}). A flag replaces the file's value whole, objects too
 * ({@code --peers} does not merge with the file's peers).
 */
final class ProcessConfigs {
  private ProcessConfigs() {}

  /**
   * @param section {@code quern.master} or {@code quern.worker}
   * @param flags the flags given, by key (values as strings, lists or maps)
   */
  static Config load(Path file, String section, Map<String, Object> flags, Config defaults) {
    Config fromFile = ConfigFactory.empty();
    Path read = file != null ? file : ConfDir.defaultFile();
    String named = file != null ? "--config " + file
        : read + " (the default configuration: QUERN_CONF_DIR, or --config FILE)";
    if (read != null) {
      if (!Files.isRegularFile(read)) {
        throw new CliException(named + ": no such file");
      }
      try {
        fromFile = ConfigFactory.parseFile(read.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new CliException(named + ": " + e.getMessage(), e);
      }
    }
    Map<String, Object> given = new LinkedHashMap<>();
    flags.forEach((k, v) -> {
      if (v != null) {
        given.put(k, v);
      }
    });
    for (String key : given.keySet()) {
      String path = section + "." + key;
      if (fromFile.hasPathOrNull(path)) {
        fromFile = fromFile.withoutPath(path);
      }
    }
    Config fromFlags = ConfigFactory.empty();
    for (Map.Entry<String, Object> e : given.entrySet()) {
      fromFlags = fromFlags.withValue(section + "." + e.getKey(),
          ConfigValueFactory.fromAnyRef(e.getValue(), "--" + e.getKey()));
    }
    try {
      return fromFlags.withFallback(fromFile).withFallback(defaults).resolve();
    } catch (ConfigException e) {
      throw new CliException("configuration: " + e.getMessage(), e);
    }
  }

  /** The effective section as HOCON, for {@code --print-config}. */
  static String render(Config config, String section) {
    return config.withOnlyPath(section).root().render(ConfigRenderOptions.defaults()
        .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
  }

  /** {@code m1=host:port,m2=host:port} as a map by id (order kept). */
  static Map<String, Object> pairs(String option, String list) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String item : list.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        throw new CliException(option + ": expected ID=HOST:PORT, got '" + item.trim() + "'");
      }
      out.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
    }
    return out;
  }
}
