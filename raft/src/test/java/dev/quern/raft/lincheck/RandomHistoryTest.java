package dev.quern.raft.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories made from a real sequential execution: each operation takes effect at a linearization
 * point inside a random interval, so the history is linearizable by construction. Changing one read's
 * output to a value no execution could produce must make it illegal.
 */
class RandomHistoryTest {

  private static final int SEEDS = 250;

  /**
   * Runs {@code count} operations against a real map. Clients have one operation in flight at a
   * time; about 3% of operations never return (their client is replaced by a new one) and may or
   * may not have taken effect.
   */
  static List<Operation<KvInput, String>> generate(Random rnd, int count, int clients, int keys) {
    Map<String, String> store = new HashMap<>();
    List<Operation<KvInput, String>> history = new ArrayList<>();
    long[] busyUntil = new long[clients];
    int[] clientId = new int[clients];
    for (int c = 0; c < clients; c++) {
      clientId[c] = c;
    }
    int nextClientId = clients;
    long now = 0;
    for (int i = 0; i < count; i++) {
      now += 1 + rnd.nextInt(5);
      int c = rnd.nextInt(clients);
      if (busyUntil[c] >= now) {
        now = busyUntil[c] + 1; // wait for this client's previous operation to return
      }
      long call = Math.max(busyUntil[c] + 1, now - rnd.nextInt(20));
      long ret = now + rnd.nextInt(20);
      String key = "k" + rnd.nextInt(keys);
      KvInput input = switch (rnd.nextInt(3)) {
        case 0 -> KvInput.get(key);
        case 1 -> KvInput.put(key, Integer.toString(rnd.nextInt(10)));
        default -> KvInput.append(key, Integer.toString(rnd.nextInt(10)));
      };
      boolean pending = input.kind() != KvInput.Kind.GET && rnd.nextInt(33) == 0;
      // The linearization point is "now": apply the operation there (a lost write may not apply).
      String before = store.getOrDefault(key, "");
      if (!pending || rnd.nextBoolean()) {
        switch (input.kind()) {
          case PUT -> store.put(key, input.value());
          case APPEND -> store.put(key, before + input.value());
          case GET -> { }
        }
      }
      if (pending) {
        history.add(Operation.pending(clientId[c], input, call));
        clientId[c] = nextClientId++;
        busyUntil[c] = now;
      } else {
        String output = switch (input.kind()) {
          case GET -> before;
          case APPEND -> before + input.value();
          case PUT -> "";
        };
        history.add(new Operation<>(clientId[c], input, call, output, ret));
        busyUntil[c] = ret;
      }
    }
    return history;
  }

  /** Replaces one completed read's output by a value no sequence of these writes can produce. */
  static List<Operation<KvInput, String>> corruptOneRead(Random rnd, List<Operation<KvInput, String>> history) {
    List<Integer> reads = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i).input().kind() == KvInput.Kind.GET && !history.get(i).isPending()) {
        reads.add(i);
      }
    }
    int victim = reads.get(rnd.nextInt(reads.size()));
    Operation<KvInput, String> op = history.get(victim);
    List<Operation<KvInput, String>> corrupted = new ArrayList<>(history);
    corrupted.set(victim, new Operation<>(op.clientId(), op.input(), op.callTime(), "never-written", op.returnTime()));
    return corrupted;
  }

  @Test
  void historiesFromRealExecutionsAreLinearizableAndOneImpossibleReadIsNot() {
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random rnd = new Random(seed);
      List<Operation<KvInput, String>> history = generate(rnd, 40 + rnd.nextInt(160), 2 + rnd.nextInt(6), 1 + rnd.nextInt(4));
      CheckResult ok = LinearizabilityChecker.check(new KvModel(), history);
      assertThat(ok.outcome()).as("seed %d: %s", seed, ok).isEqualTo(CheckResult.Outcome.OK);
      CheckResult bad = LinearizabilityChecker.check(new KvModel(), corruptOneRead(rnd, history));
      assertThat(bad.outcome()).as("seed %d with a corrupted read", seed).isEqualTo(CheckResult.Outcome.ILLEGAL);
    }
  }

  @Test
  void checkerAgreesWithBruteForceOnSwappedReads() {
    // Stronger than an impossible value: a plausible but misplaced value. Whatever the verdict,
    // the checker must agree with a brute-force search over all orders on small histories.
    int illegal = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random rnd = new Random(seed);
      List<Operation<KvInput, String>> history = new ArrayList<>(generate(rnd, 7, 3, 1));
      List<Integer> reads = new ArrayList<>();
      for (int i = 0; i < history.size(); i++) {
        if (history.get(i).input().kind() == KvInput.Kind.GET && !history.get(i).isPending()) {
          reads.add(i);
        }
      }
      if (reads.size() >= 2) {
        int a = reads.get(0);
        int b = reads.get(reads.size() - 1);
        Operation<KvInput, String> opA = history.get(a);
        Operation<KvInput, String> opB = history.get(b);
        history.set(a, new Operation<>(opA.clientId(), opA.input(), opA.callTime(), opB.output(), opA.returnTime()));
        history.set(b, new Operation<>(opB.clientId(), opB.input(), opB.callTime(), opA.output(), opB.returnTime()));
      }
      boolean expected = BruteForce.linearizable(new KvModel(), history);
      CheckResult r = LinearizabilityChecker.check(new KvModel(), history);
      assertThat(r.isOk()).as("seed %d: %s", seed, r).isEqualTo(expected);
      illegal += expected ? 0 : 1;
    }
    // Both verdicts must occur, or the comparison proves little.
    assertThat(illegal).isBetween(SEEDS / 20, SEEDS - SEEDS / 20);
  }

  @Test
  void thousandOperationsOverTenKeysAndTenClients() {
    Random rnd = new Random(42);
    List<Operation<KvInput, String>> history = generate(rnd, 1000, 10, 10);
    long start = System.nanoTime();
    // No time budget: speed is reported, not asserted (a loaded CI machine must not turn this red).
    CheckResult r = LinearizabilityChecker.check(new KvModel(), history);
    long micros = (System.nanoTime() - start) / 1000;
    System.out.println("1000 ops / 10 keys / 10 clients checked in " + micros + " us: " + r.outcome());
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.OK);
    CheckResult bad = LinearizabilityChecker.check(new KvModel(), corruptOneRead(rnd, history));
    assertThat(bad.outcome()).isEqualTo(CheckResult.Outcome.ILLEGAL);
  }
}
