package dev.quern.master.local;

import dev.quern.api.Context;
import java.util.concurrent.TimeUnit;

/** Word-count mappers and reducers that fail or wait where a test tells them to. */
final class HookedJobs {
  private HookedJobs() {}

  /** Throws in setup while its attempt number is at most {@code test.fail-attempts}. */
  public static class FlakyMapper extends WordCount.TokenizerMapper {
    @Override
    public void setup(Context<String, Long> ctx) {
      int n = Hooks.attemptNumber(ctx);
      if (n <= ctx.configuration().getInt("test.fail-attempts", 0)) {
        throw new IllegalStateException("flaky mapper fails attempt " + ctx.attemptId());
      }
    }
  }

  /**
   * Map task {@code test.gate-task} reports its arrival, then waits at the hook's gate; only on
   * attempts up to {@code test.gate-attempts} (default 1), so a re-run passes.
   */
  public static class GateMapper extends WordCount.TokenizerMapper {
    @Override
    public void setup(Context<String, Long> ctx) throws InterruptedException {
      if (ctx.taskIndex() != ctx.configuration().getInt("test.gate-task", 0)
          || Hooks.attemptNumber(ctx) > ctx.configuration().getInt("test.gate-attempts", 1)) {
        return;
      }
      String hook = Hooks.name(ctx);
      Hooks.arrivals(hook).add(ctx.attemptId());
      if (!Hooks.gate(hook).await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("gate " + hook + " never opened");
      }
    }
  }

  /**
   * Every reduce attempt reports its arrival and waits until {@code test.meet} attempts arrived
   * (so that two attempts of one task run at once), then sums.
   */
  public static class MeetingReducer extends WordCount.SumReducer {
    @Override
    public void setup(Context<String, Long> ctx) throws InterruptedException {
      String hook = Hooks.name(ctx);
      Hooks.arrivals(hook).add(ctx.attemptId());
      Hooks.arrivals(hook + "/all").add(ctx.attemptId());
      if (Hooks.arrivals(hook + "/all").size() >= ctx.configuration().getInt("test.meet", 2)) {
        Hooks.gate(hook).countDown();
      }
      if (!Hooks.gate(hook).await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the attempts never met at " + hook);
      }
    }
  }

  /** Writes every task's records to a file called {@code part}: two tasks collide at commit. */
  public static class FixedNameOutputFormat<K, V> extends dev.quern.api.io.TextOutputFormat<K, V> {
    @Override
    public dev.quern.api.io.RecordWriter<K, V> open(java.nio.file.Path workDir, String baseName,
        dev.quern.api.Configuration conf) throws java.io.IOException {
      return super.open(workDir, "part", conf);
    }
  }
}
