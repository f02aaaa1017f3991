package dev.quern.raft.kvdemo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.lincheck.KvInput;
import dev.quern.raft.lincheck.Operation;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The masters' Raft ports are chosen before they start, so another process can take one first: the
 * master that cannot bind exits, and the whole group comes back on new ports, with its data.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES) // ten JVM starts, four batches one after another, on a loaded machine
class KvDemoProcessesTest {

  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final List<String> JVM =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  @TempDir
  Path data;

  @Test
  void aTakenRaftPortRestartsTheGroupOnNewPortsWithItsData(TestProcesses procs) throws IOException {
    Supplier<int[]> free = KvDemoProcesses.freeRaftPorts(3);
    int[] first = free.get();
    AtomicBoolean firstChoice = new AtomicBoolean(true);
    KvDemoProcesses masters = new KvDemoProcesses(procs, data, 3, JVM, List.of(),
        () -> firstChoice.getAndSet(false) ? first : free.get());

    // Master 1's port is taken before the group starts: all three start again on new ports.
    ServerSocket squatter = listenOn(first[1]);
    try {
      masters.start(1, 2, 3);
    } finally {
      squatter.close();
    }
    assertThat(masters.portChoices()).isEqualTo(2);
    assertThat(masters.raftPort(1)).isNotEqualTo(first[1]);
    assertThat(procs.started()).extracting(TestProcess::name)
        .containsExactly("master-1", "master-2", "master-3", "master-1", "master-2", "master-3");
    assertThat(procs.started().get(0).log()).contains("Failed to bind TCP to [127.0.0.1:" + first[1] + "]");
    masters.awaitLeader(BOUND);
    KvWorkload client = new KvWorkload(masters, 1);
    Operation<KvInput, String> put = client.performOnce(7, KvInput.put("p0", "before"), "PUT 7 1 p0 before");
    assertThat(put.isPending()).as("the write before the restart").isFalse();

    // Master 2 is killed and its port taken while it is down: its restart takes the others along.
    int taken = masters.raftPort(2);
    masters.kill(2);
    squatter = listenOn(taken);
    try {
      masters.start(2);
    } finally {
      squatter.close();
    }
    assertThat(masters.portChoices()).isEqualTo(3);
    assertThat(masters.raftPort(2)).isNotEqualTo(taken);
    assertThat(procs.started()).extracting(TestProcess::name).hasSize(10)
        .endsWith("master-2", "master-1", "master-2", "master-3");
    for (int id = 1; id <= 3; id++) {
      assertThat(masters.isAlive(id)).as("master %d", id).isTrue();
    }
    masters.awaitLeader(BOUND);
    Operation<KvInput, String> get = client.performOnce(8, KvInput.get("p0"), "GET p0");
    assertThat(get.isPending()).as("the read after the restart").isFalse();
    assertThat(get.output()).isEqualTo("before");
  }

  private static ServerSocket listenOn(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true); // the port may be in TIME_WAIT from the master that had it
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }
}
