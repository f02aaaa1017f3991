package dev.quern.raft.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

  /** Porcupine's register: input null is a read, otherwise a write of that value. */
  record RegisterInput(boolean read, int value) {
    static RegisterInput put(int v) {
      return new RegisterInput(false, v);
    }

    static RegisterInput get() {
      return new RegisterInput(true, 0);
    }
  }

  static final Model<Integer, RegisterInput, Integer> REGISTER = new Model<>() {
    @Override
    public Integer init() {
      return 0;
    }

    @Override
    public Optional<Integer> step(Integer state, RegisterInput in, Integer out) {
      if (!in.read()) {
        return Optional.of(in.value());
      }
      return out == null || out.equals(state) ? Optional.of(state) : Optional.empty();
    }
  };

  static Operation<RegisterInput, Integer> reg(int client, RegisterInput in, long call, int out, long ret) {
    return new Operation<>(client, in, call, out, ret);
  }

  static Operation<KvInput, String> kv(int client, KvInput in, long call, String out, long ret) {
    return new Operation<>(client, in, call, out, ret);
  }

  static CheckResult checkKv(List<Operation<KvInput, String>> history) {
    return LinearizabilityChecker.check(new KvModel(), history);
  }

  // ---- Porcupine's register cases (6.824 2017 quiz 2, section VII) ----

  @Test
  void porcupineRegisterLinearizable() {
    assertThat(LinearizabilityChecker.check(REGISTER, List.of(
        reg(0, RegisterInput.put(100), 0, 0, 100),
        reg(1, RegisterInput.get(), 25, 100, 75),
        reg(2, RegisterInput.get(), 30, 0, 60))).outcome()).isEqualTo(CheckResult.Outcome.OK);
  }

  @Test
  void porcupineRegisterNotLinearizable() {
    assertThat(LinearizabilityChecker.check(REGISTER, List.of(
        reg(0, RegisterInput.put(200), 0, 0, 100),
        reg(1, RegisterInput.get(), 10, 200, 30),
        reg(2, RegisterInput.get(), 40, 0, 90))).outcome()).isEqualTo(CheckResult.Outcome.ILLEGAL);
  }

  @Test
  void porcupineZeroDurationOperations() {
    assertThat(LinearizabilityChecker.check(REGISTER, List.of(
        reg(0, RegisterInput.put(100), 0, 0, 100),
        reg(1, RegisterInput.get(), 25, 100, 75),
        reg(2, RegisterInput.get(), 30, 0, 30),
        reg(3, RegisterInput.get(), 30, 0, 30))).isOk()).isTrue();
    assertThat(LinearizabilityChecker.check(REGISTER, List.of(
        reg(0, RegisterInput.put(200), 0, 0, 100),
        reg(1, RegisterInput.get(), 10, 200, 10),
        reg(2, RegisterInput.get(), 10, 200, 10),
        reg(3, RegisterInput.get(), 40, 0, 90))).isIllegal()).isTrue();
  }

  // ---- hand-written KV histories ----

  @Test
  void staleReadAfterCompletedWriteIsIllegal() {
    CheckResult r = checkKv(List.of(
        kv(0, KvInput.put("x", "1"), 0, "", 10),
        kv(1, KvInput.get("x"), 20, "", 30)));
    assertThat(r.isIllegal()).isTrue();
    assertThat(r.explanation()).contains("key \"x\"").contains("get(x) -> \"\"");
    assertThat(r.longestPrefix()).hasSize(1);
  }

  @Test
  void readOverlappingAWriteMaySeeEitherValue() {
    for (String seen : List.of("", "1")) {
      assertThat(checkKv(List.of(
          kv(0, KvInput.put("x", "1"), 0, "", 10),
          kv(1, KvInput.get("x"), 5, seen, 15))).isOk()).as("read of %s", seen).isTrue();
    }
  }

  @Test
  void readersDisagreeingOnTheOrderOfTwoCompletedWritesIsIllegal() {
    List<Operation<KvInput, String>> h = List.of(
        kv(0, KvInput.put("x", "a"), 0, "", 10),
        kv(1, KvInput.put("x", "b"), 0, "", 10),
        kv(2, KvInput.get("x"), 20, "a", 30),
        kv(3, KvInput.get("x"), 20, "b", 30));
    assertThat(checkKv(h).isIllegal()).isTrue();
    // While the writes are in flight each reader may see a different one, but not flip-flop.
    assertThat(checkKv(List.of(
        kv(0, KvInput.put("x", "a"), 0, "", 100),
        kv(1, KvInput.put("x", "b"), 0, "", 100),
        kv(2, KvInput.get("x"), 10, "a", 20),
        kv(3, KvInput.get("x"), 30, "b", 40))).isOk()).isTrue();
    assertThat(checkKv(List.of(
        kv(0, KvInput.put("x", "a"), 0, "", 100),
        kv(1, KvInput.put("x", "b"), 0, "", 100),
        kv(2, KvInput.get("x"), 10, "a", 20),
        kv(2, KvInput.get("x"), 30, "b", 40),
        kv(3, KvInput.get("x"), 50, "a", 60))).isIllegal()).isTrue();
  }

  @Test
  void lostAppendIsIllegal() {
    assertThat(checkKv(List.of(
        kv(0, KvInput.append("x", "1"), 0, "1", 10),
        kv(1, KvInput.append("x", "2"), 20, "12", 30),
        kv(2, KvInput.get("x"), 40, "2", 50))).isIllegal()).isTrue();
    assertThat(checkKv(List.of(
        kv(0, KvInput.append("x", "1"), 0, "1", 10),
        kv(1, KvInput.append("x", "2"), 20, "12", 30),
        kv(2, KvInput.get("x"), 40, "12", 50))).isOk()).isTrue();
  }

  @Test
  void appendOutputsAreChecked() {
    // The second append answered as if the first, acknowledged before it began, never happened.
    CheckResult lost = checkKv(List.of(
        kv(0, KvInput.append("x", "1"), 0, "1", 10),
        kv(1, KvInput.append("x", "2"), 20, "2", 30)));
    assertThat(lost.isIllegal()).isTrue();
    assertThat(lost.explanation()).contains("append(x, \"2\") -> \"2\"");
    // Overlapping appends may take either order, but their outputs must agree on one.
    assertThat(checkKv(List.of(
        kv(0, KvInput.append("x", "1"), 0, "21", 30),
        kv(1, KvInput.append("x", "2"), 0, "2", 30))).isOk()).isTrue();
    assertThat(checkKv(List.of(
        kv(0, KvInput.append("x", "1"), 0, "1", 30),
        kv(1, KvInput.append("x", "2"), 0, "2", 30))).isIllegal()).isTrue();
    // An append whose answer was lost (null) may have made any value.
    assertThat(checkKv(List.of(
        Operation.pending(0, KvInput.append("x", "1"), 0),
        kv(1, KvInput.append("x", "2"), 20, "12", 30))).isOk()).isTrue();
  }

  @Test
  void operationThatNeverReturnedMayOrMayNotHaveHappened() {
    Operation<KvInput, String> lost = Operation.pending(0, KvInput.put("x", "1"), 0);
    assertThat(checkKv(List.of(lost, kv(1, KvInput.get("x"), 5, "1", 6))).isOk()).isTrue();
    assertThat(checkKv(List.of(lost, kv(1, KvInput.get("x"), 100, "", 101))).isOk()).isTrue();
    assertThat(checkKv(List.of(lost, kv(1, KvInput.get("x"), 5, "", 6), kv(1, KvInput.get("x"), 7, "1", 8))).isOk()).isTrue();
    // Once seen, its effect cannot disappear.
    assertThat(checkKv(List.of(lost, kv(1, KvInput.get("x"), 5, "1", 6), kv(1, KvInput.get("x"), 7, "", 8))).isIllegal()).isTrue();
    // It cannot take effect before it was called.
    assertThat(checkKv(List.of(kv(1, KvInput.get("x"), 0, "1", 1), Operation.pending(0, KvInput.put("x", "1"), 5))).isIllegal()).isTrue();
  }

  @Test
  void explanationNamesTheKeyThatFailed() {
    CheckResult r = checkKv(List.of(
        kv(0, KvInput.put("a", "1"), 0, "", 10),
        kv(1, KvInput.get("a"), 20, "1", 30),
        kv(0, KvInput.append("b", "x"), 40, "x", 50),
        kv(0, KvInput.append("b", "y"), 60, "xy", 70),
        kv(1, KvInput.get("b"), 80, "yx", 90)));
    assertThat(r.isIllegal()).isTrue();
    assertThat(r.explanation()).startsWith("key \"b\" is not linearizable").contains("get(b) -> \"yx\"");
    assertThat(r.longestPrefix()).extracting(op -> ((KvInput) op.input()).value()).containsExactly("x", "y");
  }

  @Test
  void exhaustedBudgetGivesUnknown() {
    List<Operation<KvInput, String>> h = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      h.add(kv(i, KvInput.append("x", "" + i), 0, null, 100));
    }
    CheckResult r = LinearizabilityChecker.check(new KvModel(), h, Duration.ZERO);
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.UNKNOWN);
  }

  @Test
  void emptyHistoryIsLinearizable() {
    assertThat(checkKv(List.of()).isOk()).isTrue();
  }
}
