package dev.quern.raft.kvdemo;

import dev.quern.raft.lincheck.KvInput;
import dev.quern.raft.lincheck.Operation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that keep writing to the masters while they are killed and restarted, each one request at a
 * time, recording every operation's call and return time and answer for the linearizability check.
 * A request goes to the node the client last reached, follows REDIRECTs, moves on to the next node on
 * a refused connection, a timeout or RETRY, and keeps its sequence number across attempts (the masters
 * apply it at most once). A request that gets no answer within {@link #GIVE_UP_NANOS} is recorded as
 * pending: its effect is unknown.
 */
final class KvWorkload {

  static final long GIVE_UP_NANOS = 20_000_000_000L;
  // Eight keys keep each key's history short: the checker memoises whole values, and a key with
  // thousands of appends under failover concurrency ran a 1 GB heap out of memory.
  static final String[] APPEND_KEYS = {"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  static final String PUT_KEY = "p0";

  private final KvDemoProcesses masters;
  private final long seed;
  private final List<Operation<KvInput, String>> history = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger acknowledged = new AtomicInteger();
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
      t.start();
      threads.add(t);
    }
  }

  int acknowledged() {
    return acknowledged.get();
  }

  void stop() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("a client failed (seed " + seed + ")", failures.get(0));
    }
  }

  List<Operation<KvInput, String>> history() {
    return List.copyOf(history);
  }

  private void runClient(int client) {
    SplittableRandom random = new SplittableRandom(seed * 31 + client);
    Session session = new Session(client);
    for (long seq = 1; !stop.get(); ) {
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
      while (System.nanoTime() - call < GIVE_UP_NANOS) {
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
          connection = new LineClient(masters.clientPort(node), 3000);
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
