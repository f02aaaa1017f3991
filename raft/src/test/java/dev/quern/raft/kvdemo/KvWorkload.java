package dev.quern.raft.kvdemo;

import dev.quern.raft.lincheck.KvInput;
import dev.quern.raft.lincheck.Operation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that keep writing to the masters while they are killed and restarted, each one request at a
 * time, recording every operation's call and return time and answer for the linearizability check.
 * A request goes to the node the client last reached, follows REDIRECTs, moves on to the next node on
 * a refused connection, a timeout or RETRY, and keeps its sequence number across attempts (the masters
 * apply it at most once). A request that gets no answer within {@link #GIVE_UP_NANOS} is recorded as
 * pending: its effect is unknown.
 *
 * <p>{@link #stop} lets each client finish its request; {@link #close} (for a test that failed) also
 * abandons the requests under way, as pending. Both wait for the client threads with a bound.
 */
final class KvWorkload implements AutoCloseable {

  static final long GIVE_UP_NANOS = 20_000_000_000L;
  /** A request's connect and read timeout, per attempt. */
  static final int ATTEMPT_TIMEOUT_MILLIS = 3000;
  /** A client finishes its request (at most the give-up time plus one attempt's two timeouts) within this. */
  private static final Duration STOP_BOUND =
      Duration.ofNanos(GIVE_UP_NANOS).plusMillis(2L * ATTEMPT_TIMEOUT_MILLIS).plusSeconds(10);
  /** An abandoned request returns within one attempt's two timeouts. */
  private static final Duration CLOSE_BOUND = Duration.ofMillis(2L * ATTEMPT_TIMEOUT_MILLIS).plusSeconds(10);
  /**
   * The clients stop starting requests after this many, so the linearizability check, which has no
   * time budget, always has a bounded history to check (a normal run makes about 2,000).
   */
  static final int MAX_OPERATIONS = 10_000;
  // Eight keys keep each key's history short: the checker memoises whole values, and a key with
  // thousands of appends under failover concurrency ran a 1 GB heap out of memory.
  static final String[] APPEND_KEYS = {"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  static final String PUT_KEY = "p0";

  private final KvDemoProcesses masters;
  private final long seed;
  private final List<Operation<KvInput, String>> history = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean abandon = new AtomicBoolean();
  private final AtomicInteger acknowledged = new AtomicInteger();
  /** Clients start no request while this many writes are acknowledged: {@link #allow} raises it. */
  private final Object gate = new Object();
  private int ceiling = Integer.MAX_VALUE;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

  KvWorkload(KvDemoProcesses masters, long seed) {
    this.masters = masters;
    this.seed = seed;
  }

  void start(int clients) {
    for (int c = 1; c <= clients; c++) {
      int client = c;
      Thread t = new Thread(() -> {
        try {
          runClient(client);
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "kv-client-" + c);
      t.setDaemon(true); // never what keeps the test JVM alive, whatever happens
      t.start();
      threads.add(t);
    }
  }

  /**
   * From now on the clients start requests only until {@code more} further writes are acknowledged,
   * then wait for the next call. A test that waits between phases (for an election, a catch-up, a
   * restart) thus gets a history bounded by its phases, not by how long the waits took.
   */
  void allow(int more) {
    synchronized (gate) {
      ceiling = acknowledged.get() + more;
      gate.notifyAll();
    }
  }

  /** Waits while the ceiling is reached; false once the clients are to stop. */
  private boolean awaitAllowance() {
    synchronized (gate) {
      while (!stop.get() && acknowledged.get() >= ceiling) {
        try {
          gate.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !stop.get();
  }

  int acknowledged() {
    return acknowledged.get();
  }

  /** Whether the clients have started {@link #MAX_OPERATIONS} requests and start no more. */
  boolean exhausted() {
    return history.size() >= MAX_OPERATIONS;
  }

  /** Lets every client finish the request under way and waits (bounded) for it; rethrows a client's failure. */
  void stop() {
    stop.set(true);
    synchronized (gate) {
      gate.notifyAll();
    }
    joinAll(STOP_BOUND);
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("a client failed (seed " + seed + ")", failures.get(0));
      failures.subList(1, failures.size()).forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Stops the clients, abandoning their requests under way, and waits (bounded) for their threads. */
  @Override
  public void close() {
    stop.set(true);
    synchronized (gate) {
      gate.notifyAll();
    }
    abandon.set(true);
    joinAll(CLOSE_BOUND);
  }

  private void joinAll(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    List<String> stuck = new ArrayList<>();
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while stopping the clients", e);
      }
      if (t.isAlive()) {
        stuck.add(t.getName() + " at " + Arrays.toString(t.getStackTrace()));
        t.interrupt();
      }
    }
    if (!stuck.isEmpty()) {
      throw new AssertionError("clients still running " + bound.toSeconds() + " s after being stopped: " + stuck);
    }
  }

  List<Operation<KvInput, String>> history() {
    return List.copyOf(history);
  }

  private void runClient(int client) {
    SplittableRandom random = new SplittableRandom(seed * 31 + client);
    Session session = new Session(client);
    for (long seq = 1; awaitAllowance() && !exhausted(); ) {
      int pick = random.nextInt(10);
      KvInput input;
      String request;
      if (pick < 6) {
        String key = APPEND_KEYS[random.nextInt(APPEND_KEYS.length)];
        String token = "c" + client + "s" + seq + ".";
        input = KvInput.append(key, token);
        request = "APPEND " + client + " " + seq++ + " " + key + " " + token;
      } else if (pick < 7) {
        String value = "c" + client + "s" + seq;
        input = KvInput.put(PUT_KEY, value);
        request = "PUT " + client + " " + seq++ + " " + PUT_KEY + " " + value;
      } else {
        String key = pick == 9 ? PUT_KEY : APPEND_KEYS[random.nextInt(APPEND_KEYS.length)];
        input = KvInput.get(key);
        request = "GET " + key;
      }
      history.add(session.perform(input, request));
    }
    session.close();
  }

  /** Runs one request to completion (or gives up) and returns it as an operation. */
  Operation<KvInput, String> performOnce(int client, KvInput input, String request) {
    Session s = new Session(client);
    try {
      Operation<KvInput, String> op = s.perform(input, request);
      history.add(op);
      return op;
    } finally {
      s.close();
    }
  }

  /** A client's connection to whichever master it last reached. */
  private final class Session {
    private final int client;
    private int node;
    private LineClient connection;

    Session(int client) {
      this.client = client;
      this.node = 1 + (client % masters.size());
    }

    Operation<KvInput, String> perform(KvInput input, String request) {
      long call = System.nanoTime();
      while (System.nanoTime() - call < GIVE_UP_NANOS && !abandon.get() && !Thread.currentThread().isInterrupted()) {
        String answer = attempt(request);
        if (answer != null && answer.startsWith("OK")) {
          String output = answer.length() > 3 ? answer.substring(3) : "";
          long ret = System.nanoTime();
          if (input.kind() != KvInput.Kind.GET) {
            acknowledged.incrementAndGet();
          }
          return new Operation<>(client, input, call, output, ret);
        }
        if (answer != null && answer.startsWith("REDIRECT ")) {
          String[] t = answer.split(" ");
          int leader = Integer.parseInt(t[1]);
          if (leader != 0 && leader != node) {
            switchTo(leader);
            continue;
          }
        }
        if (answer != null && answer.startsWith("ERR")) {
          throw new IllegalStateException("master refused '" + request + "': " + answer);
        }
        switchTo(node % masters.size() + 1);
        pause();
      }
      return Operation.pending(client, input, call);
    }

    /** The answer, or null if the node could not be reached or did not answer in time. */
    private String attempt(String request) {
      try {
        if (connection == null) {
          int port = masters.clientPort(node);
          if (port == 0) {
            return null; // down, or restarting and not ready yet
          }
          connection = new LineClient(port, ATTEMPT_TIMEOUT_MILLIS);
        }
        return connection.call(request);
      } catch (IOException e) {
        closeConnection();
        return null;
      }
    }

    private void switchTo(int other) {
      closeConnection();
      node = other;
    }

    private void closeConnection() {
      if (connection != null) {
        connection.close();
        connection = null;
      }
    }

    void close() {
      closeConnection();
    }

    // Back off a little while no node answers (all down, or an election in progress), not to spin.
    private void pause() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
