package dev.quern.fs.hadoop;

import dev.quern.api.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds Hadoop's configuration for a job: Hadoop's defaults, then {@code core-site.xml} and
 * {@code hdfs-site.xml} from the directory in {@code HADOOP_CONF_DIR} (or the {@value
 * #CONF_DIR_PROPERTY} system property), then every {@code quern.hadoop.<key>} entry of the job's
 * configuration as {@code <key>}.
 *
 * <pre>{@code
 * Job.builder("wc").configure(Map.of("quern.hadoop.dfs.replication", "2"))
 * }</pre>
 */
public final class HadoopSettings {
  /** Prefix of the job configuration entries passed to Hadoop without it. */
  public static final String PREFIX = "quern.hadoop.";

  /** A system property that overrides the {@code HADOOP_CONF_DIR} environment variable. */
  public static final String CONF_DIR_PROPERTY = "quern.hadoop.conf.dir";

  private HadoopSettings() {}

  /** The {@code quern.hadoop.*} entries of a job configuration, prefix removed, sorted. */
  public static Map<String, String> overrides(Configuration conf) {
    Map<String, String> out = new TreeMap<>();
    conf.asMap().forEach((k, v) -> {
      if (k.startsWith(PREFIX)) {
        out.put(k.substring(PREFIX.length()), v);
      }
    });
    return out;
  }

  /** Hadoop's configuration with the site files and the given overrides applied. */
  public static org.apache.hadoop.conf.Configuration hadoopConf(Map<String, String> overrides) {
    org.apache.hadoop.conf.Configuration hc = new org.apache.hadoop.conf.Configuration();
    String dir = System.getProperty(CONF_DIR_PROPERTY, System.getenv("HADOOP_CONF_DIR"));
    if (dir != null && !dir.isBlank()) {
      for (String name : new String[] {"core-site.xml", "hdfs-site.xml"}) {
        Path site = Path.of(dir, name);
        if (Files.isRegularFile(site)) {
          hc.addResource(new org.apache.hadoop.fs.Path(site.toUri()));
        }
      }
    }
    overrides.forEach(hc::set);
    return hc;
  }
}
