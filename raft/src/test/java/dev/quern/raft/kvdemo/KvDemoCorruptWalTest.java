package dev.quern.raft.kvdemo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.node.FatalHandler;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three master JVMs on the durable WAL. The leader is SIGKILLed, one byte of its WAL that was
 * synced (a later acknowledged write proves it) is flipped while it is down, and the same command
 * that started it starts it again: it must refuse to start, exiting non-zero with a message naming
 * the segment file and the offset of the damaged record, rather than cut its log there and forget
 * what it had acknowledged. The other two elect a leader and go on serving writes and reads.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
@ExtendWith(TestProcesses.Extension.class)
class KvDemoCorruptWalTest {

  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir
  Path root;

  private KvDemoProcesses masters;

  @Test
  void aLeaderWithADamagedSyncedWalRefusesToStartAndTheOthersGoOn(TestProcesses procs) throws Exception {
    masters = new KvDemoProcesses(procs, root, 3,
        List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
        // One segment and no snapshot: the leader's whole history is in the WAL.
        List.of("--snapshot-every", "1000000", "--segment-bytes", Long.toString(64L << 20)));
    for (int id = 1; id <= 3; id++) {
      masters.start(id);
    }
    masters.awaitLeader(BOUND);
    long seq = 1;
    for (int i = 1; i <= 20; i++) {
      put(seq++, "k" + i, "v" + i);
    }

    // Acknowledged after the leader applied it, so after it synced its WAL past `synced`: if the
    // same node led in the same term before and after (no election between), that node served it.
    int leader = 0;
    List<String> command = null;
    Path wal = null;
    long synced = 0;
    for (int attempt = 1; leader == 0; attempt++) {
      assertThat(attempt).as("attempts to write under one leader and term").isLessThanOrEqualTo(5);
      int before = masters.awaitLeader(BOUND);
      String term = masters.status(before).get("term");
      command = masters.command(before);
      wal = lastSegment(Path.of(command.get(command.indexOf("--data") + 1)));
      synced = Files.size(wal);
      put(seq++, "after", "x");
      if (masters.leader() == before && term != null && term.equals(masters.status(before).get("term"))) {
        leader = before;
      }
    }

    masters.kill(leader);
    byte[] bytes = Files.readAllBytes(wal);
    assertThat((long) bytes.length).isGreaterThan(synced);
    int flip = (int) (synced / 2);
    bytes[flip] ^= 0x20;
    Files.write(wal, bytes);

    TestProcess restarted = procs.start("restart-" + leader, new ProcessBuilder(command));
    int status = restarted.awaitExit(BOUND);
    String output = restarted.log();
    assertThat(status).as(output).isEqualTo(FatalHandler.EXIT_STATUS);
    Matcher m = Pattern.compile(Pattern.quote(wal.toString()) + " at offset (\\d+): damaged record").matcher(output);
    assertThat(m.find()).as("a message naming %s and the offset; log:\n%s", wal, output).isTrue();
    long offset = Long.parseLong(m.group(1));
    System.out.printf("KvDemoCorruptWalTest: flipped byte %d of %s; master %d exited with %d:%n%s%n", flip, wal,
        leader, status, output.lines().filter(l -> l.startsWith("FATAL")).findFirst().orElse(""));
    assertThat(offset).as("the damaged record starts at or before the flipped byte %d", flip)
        .isLessThanOrEqualTo(flip).isGreaterThan(0);
    assertThat(Files.readAllBytes(wal)).as("the WAL is left as it was for inspection").isEqualTo(bytes);

    // The two others go on: a new leader, new writes, reads of old and new values.
    int killed = leader;
    masters.await("a new leader", BOUND, () -> {
      int l = masters.leader();
      return l != 0 && l != killed;
    });
    put(seq++, "after-refusal", "y");
    assertThat(get("after-refusal")).isEqualTo("OK y");
    assertThat(get("after")).isEqualTo("OK x");
    assertThat(get("k7")).isEqualTo("OK v7");
  }

  /** Writes through whoever leads, retrying (the same sequence number, so at most once) until OK. */
  private void put(long seq, String key, String value) throws InterruptedException {
    call("PUT 7 " + seq + " " + key + " " + value);
  }

  private String get(String key) throws InterruptedException {
    return call("GET " + key);
  }

  private String call(String request) throws InterruptedException {
    String[] answer = new String[1];
    masters.await("an OK to '" + request + "'", BOUND, () -> {
      int leader = masters.leader();
      if (leader == 0) {
        return false;
      }
      try (LineClient c = new LineClient(masters.clientPort(leader), 10_000)) {
        answer[0] = c.call(request);
        return answer[0].startsWith("OK");
      } catch (IOException e) {
        return false;
      }
    });
    return answer[0].trim();
  }

  private static Path lastSegment(Path data) throws IOException {
    try (Stream<Path> s = Files.list(data)) {
      return s.filter(p -> p.getFileName().toString().matches("wal-\\d+\\.log")).sorted()
          .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no WAL segment in " + data));
    }
  }
}
