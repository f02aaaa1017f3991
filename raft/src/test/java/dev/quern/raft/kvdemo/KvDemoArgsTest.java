package dev.quern.raft.kvdemo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvDemoArgsTest {

  @Test
  void parsesAllOptions() {
    KvDemoArgs a = KvDemoArgs.parse(new String[] {"--id", "2", "--data", "/d", "--port", "25522",
        "--client-port", "7002", "--peers", "1=127.0.0.1:25521, 3=127.0.0.1:25523",
        "--peer-clients", "1=127.0.0.1:7001", "--tick-ms", "20", "--snapshot-every", "7", "--segment-bytes", "4096"});
    assertThat(a).isEqualTo(new KvDemoArgs(2, Path.of("/d"), 25522, 7002,
        Map.of(1L, "127.0.0.1:25521", 3L, "127.0.0.1:25523"), Map.of(1L, "127.0.0.1:7001"), 20, 7, 4096));
  }

  @Test
  void badInputNamesTheOption() {
    assertThatThrownBy(() -> KvDemoArgs.parse(new String[] {"--id", "1", "--port", "1", "--client-port", "2"}))
        .hasMessage("missing --data");
    assertThatThrownBy(() -> KvDemoArgs.parse(new String[] {"--id", "1", "--data", "d", "--port", "1",
        "--client-port", "2", "--peers", "2-127.0.0.1:9"}))
        .hasMessage("--peers: expected id=host:port, got '2-127.0.0.1:9'");
    assertThatThrownBy(() -> KvDemoArgs.parse(new String[] {"--id", "1", "--data", "d", "--port", "1",
        "--client-port", "2", "--peers", "1=127.0.0.1:9"}))
        .hasMessage("--peers lists this node's own id 1");
    assertThatThrownBy(() -> KvDemoArgs.parse(new String[] {"--id", "1", "--data", "d", "--port", "1",
        "--client-port", "2", "--colour", "red"}))
        .hasMessage("unknown options [colour]");
    assertThatThrownBy(() -> KvDemoArgs.parse(new String[] {"--id"}))
        .hasMessage("expected --name value at argument 1: --id");
  }
}
