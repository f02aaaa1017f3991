package dev.quern.master.local;

import dev.quern.api.Context;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Meeting points between a test and the user code its job runs, keyed by a name the test puts in
 * the job's configuration ({@code test.hook}). User classes load from the test's class loader (the
 * job names no jar), so these statics are shared.
 */
final class Hooks {
  static final String KEY = "test.hook";
  private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
  private static final Map<String, BlockingQueue<String>> ARRIVALS = new ConcurrentHashMap<>();

  private Hooks() {}

  /** The gate user code waits at; the test opens it. */
  static CountDownLatch gate(String name) {
    return GATES.computeIfAbsent(name, n -> new CountDownLatch(1));
  }

  /** Attempt ids that reached a hook, in order. */
  static BlockingQueue<String> arrivals(String name) {
    return ARRIVALS.computeIfAbsent(name, n -> new LinkedBlockingQueue<>());
  }

  /** Waits for the next attempt to reach hook {@code name}; fails after {@code timeout}. */
  static String awaitArrival(String name, Duration timeout) throws InterruptedException {
    String id = arrivals(name).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (id == null) {
      throw new AssertionError("no attempt reached hook " + name + " within " + timeout);
    }
    return id;
  }

  static String name(Context<?, ?> ctx) {
    return ctx.configuration().require(KEY);
  }

  /** The attempt number, from an id like {@code job-0001/m-00002/3}. */
  static int attemptNumber(Context<?, ?> ctx) {
    String id = ctx.attemptId();
    return Integer.parseInt(id.substring(id.lastIndexOf('/') + 1));
  }
}
