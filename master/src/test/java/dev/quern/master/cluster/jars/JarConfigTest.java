package dev.quern.master.cluster.jars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.cluster.MasterProcessConfig;
import org.junit.jupiter.api.Test;

/** The jar size limit's key in the master's configuration. */
class JarConfigTest {
  static MasterProcessConfig parse(String extra) {
    return MasterProcessConfig.from(ConfigFactory.parseString("""
        quern.master { id = m1, data = /tmp/never-created, peers { m1 = "127.0.0.1:7101" } }
        """ + extra));
  }

  @Test
  void theLimitDefaultsTo512MiBAndTakesSizes() {
    assertEquals(512L << 20, parse("").maxJarBytes());
    assertEquals(3L << 20, parse("quern.master.max-jar-size = 3MiB").maxJarBytes());
    assertEquals(1000, parse("quern.master.max-jar-size = 1000").maxJarBytes());
  }

  @Test
  void aLimitBelowOneByteIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("quern.master.max-jar-size = 0"));
    assertTrue(e.getMessage().startsWith("--max-jar-size: must be positive"), e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> parse("quern.master.max-jar-size = lots"));
    assertTrue(bad.getMessage().contains("max-jar-size"), bad.getMessage());
  }
}
