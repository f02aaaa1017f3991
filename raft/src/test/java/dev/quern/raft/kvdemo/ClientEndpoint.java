package dev.quern.raft.kvdemo;

import dev.quern.raft.ClientCommand;
import dev.quern.raft.ClientResult;
import dev.quern.raft.RaftCore;
import dev.quern.raft.node.LatencyHistogram;
import dev.quern.raft.node.RaftMetrics;
import dev.quern.raft.node.RaftNodeActor;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's client endpoint on 127.0.0.1: a line protocol over TCP, pipelined (a client may send
 * many requests before reading; each answer carries its request id, in completion order).
 *
 * <pre>
 * request                                        answers
 * &lt;rid&gt; PUT &lt;client&gt; &lt;seq&gt; &lt;key&gt; &lt;value&gt;           &lt;rid&gt; OK            (after commit and apply)
 * &lt;rid&gt; APPEND &lt;client&gt; &lt;seq&gt; &lt;key&gt; &lt;value&gt;        &lt;rid&gt; OK &lt;new value&gt;
 * &lt;rid&gt; GET &lt;key&gt;                                &lt;rid&gt; OK &lt;value&gt;    (ReadIndex on the leader)
 * &lt;rid&gt; STATUS                                   &lt;rid&gt; OK id=.. role=.. term=.. leader=.. commit=.. applied=..
 * &lt;rid&gt; METRICS                                  &lt;rid&gt; OK endpoint=.. commit=.. fsync=.. gc=..  (histograms, see below)
 * any                                            &lt;rid&gt; REDIRECT &lt;leader id&gt; &lt;host:port or -&gt;   (not the leader)
 *                                                &lt;rid&gt; RETRY &lt;why&gt;   (outcome unknown: retry with the same seq)
 *                                                &lt;rid&gt; ERR &lt;what&gt;    (bad request; or a write refused
 *                                                    as STALE or NO_SESSION: not applied)
 * </pre>
 *
 * Keys and values are single tokens (no spaces). Writes carry the client's id and sequence number:
 * the state machine applies a retried sequence number at most once, so RETRY, a timeout or a dead
 * connection can always be resolved by sending the same request again, to any node.
 *
 * <p>{@code METRICS} answers four histograms as {@link Breakdown} tokens, for the benchmark's account
 * of a latency tail: {@code endpoint}, each acknowledged write from its line being read to its
 * answer being queued for the connection's writer ({@link Breakdown#BOUNDS}); {@code commit}, the
 * node's append latency (proposal accepted to committed, {@link RaftMetrics#appendLatency()}) and
 * {@code fsync} ({@link RaftMetrics#fsync()}), both at {@link LatencyHistogram#DEFAULT_BOUNDS};
 * {@code gc}, this JVM's collection pauses ({@link GcPauses}, {@link Breakdown#BOUNDS}); and
 * {@code alloc}, the bytes its threads allocated so far by thread group ({@link ThreadAllocation}).
 */
public final class ClientEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(ClientEndpoint.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Runs an answer's callback where the answer completes (it only queues a line). Pekko's ask
   * future turns plain callbacks into async ones on the common pool, and with fewer than three
   * cores the JDK runs those on a new thread per callback: a thread per request.
   */
  private static final Executor SAME_THREAD = Runnable::run;

  private final ActorSystem<?> system;
  private final ActorRef<RaftNodeActor.Command> node;
  private final long id;
  private final Map<Long, String> peerClients;
  private final RaftMetrics metrics;
  private final LatencyHistogram acknowledged = new LatencyHistogram(Breakdown.BOUNDS);
  private final GcPauses gcPauses = GcPauses.install();
  private ServerSocket server;

  public ClientEndpoint(ActorSystem<?> system, ActorRef<RaftNodeActor.Command> node, long id,
              Map<Long, String> peerClients, RaftMetrics metrics) {
    this.system = system;
    this.node = node;
    this.id = id;
    this.peerClients = Map.copyOf(peerClients);
    this.metrics = metrics;
  }

  /**
   * Binds 127.0.0.1:{@code port} ({@code 0}: any free port) and accepts connections on a daemon
   * thread; returns the port it bound.
   */
  public int start(int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    int bound = server.getLocalPort();
    Thread acceptor = new Thread(this::acceptLoop, "client-accept-" + bound);
    acceptor.setDaemon(true);
    acceptor.start();
    return bound;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Connection c = new Connection(s);
        Thread reader = new Thread(c::readLoop, "client-read-" + s.getPort());
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.warn("accepting a client connection failed", e);
        }
      }
    }
  }

  /** One client connection: a reader thread dispatching requests, a writer thread batching answers. */
  private final class Connection {
    private final Socket socket;
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();

    Connection(Socket socket) {
      this.socket = socket;
      Thread writer = new Thread(this::writeLoop, "client-write-" + socket.getPort());
      writer.setDaemon(true);
      writer.start();
    }

    void readLoop() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          handle(line);
        }
      } catch (IOException e) {
        // The client went away; answers still in flight are dropped with the connection.
      } finally {
        out.add(""); // wakes the writer so it closes
        ThreadAllocation.ending();
      }
    }

    void writeLoop() {
      List<String> batch = new ArrayList<>();
      try (Writer w = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 1 << 16)) {
        while (true) {
          batch.add(out.take());
          out.drainTo(batch);
          for (String s : batch) {
            if (s.isEmpty()) {
              return;
            }
            w.write(s);
            w.write('\n');
          }
          batch.clear();
          w.flush();
        }
      } catch (IOException | InterruptedException e) {
        // Closed by the client, or the process is going down.
      } finally {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing left to do with it
        }
        ThreadAllocation.ending();
      }
    }

    private void reply(String rid, String answer) {
      out.add(rid + " " + answer);
    }

    private void handle(String line) {
      long received = System.nanoTime();
      String[] t = line.trim().split(" ");
      String rid = t[0];
      if (t.length < 2) {
        reply(rid, "ERR expected '<rid> <op> ...', got '" + line + "'");
        return;
      }
      try {
        switch (t[1]) {
          case "PUT", "APPEND" -> {
            if (t.length != 6) {
              reply(rid, "ERR " + t[1] + " needs <client> <seq> <key> <value>, got '" + line + "'");
              return;
            }
            KvCommand.Op op = t[1].equals("PUT") ? KvCommand.Op.PUT : KvCommand.Op.APPEND;
            // Stamped with this node's clock: the log's time, by which sessions expire.
            byte[] cmd = new ClientCommand(Long.parseLong(t[2]), Long.parseLong(t[3]),
                new KvCommand(op, t[4], t[5]).encode()).at(System.currentTimeMillis()).encode();
            propose(rid, cmd, received);
          }
          case "GET" -> {
            if (t.length != 3) {
              reply(rid, "ERR GET needs <key>, got '" + line + "'");
              return;
            }
            read(rid, t[2]);
          }
          case "STATUS" -> status(rid);
          case "METRICS" -> reply(rid, "OK endpoint=" + Breakdown.of(acknowledged.snapshot()).encode()
              + " commit=" + Breakdown.of(metrics.appendLatency().snapshot()).encode()
              + " fsync=" + Breakdown.of(metrics.fsync().snapshot()).encode()
              + " gc=" + Breakdown.of(gcPauses.histogram().snapshot()).encode()
              + " alloc=" + ThreadAllocation.encode(ThreadAllocation.byGroup()));
          default -> reply(rid, "ERR unknown op '" + t[1] + "'");
        }
      } catch (NumberFormatException e) {
        reply(rid, "ERR bad number in '" + line + "': " + e.getMessage());
      }
    }

    private void propose(String rid, byte[] cmd, long received) {
      CompletionStage<RaftNodeActor.ProposeReply> answer = AskPattern.ask(node,
          r -> new RaftNodeActor.Propose(cmd, r), ASK_TIMEOUT, system.scheduler());
      answer.whenCompleteAsync((a, err) -> {
        if (err != null) {
          reply(rid, "RETRY timeout");
        } else if (a instanceof RaftNodeActor.Applied applied) {
          ClientResult r = ClientResult.decode(applied.result());
          if (r instanceof ClientResult.Done d) {
            reply(rid, "OK " + new String(d.value(), StandardCharsets.UTF_8));
            acknowledged.recordNanos(System.nanoTime() - received);
          } else if (r instanceof ClientResult.Refused no) {
            reply(rid, "ERR " + no.reason() + ": " + no.detail());
          }
        } else if (a instanceof RaftNodeActor.NotLeader n) {
          reply(rid, redirect(n.leaderHint()));
        } else if (a instanceof RaftNodeActor.RetryLater) {
          reply(rid, "RETRY busy");
        } else if (a instanceof RaftNodeActor.TooLarge t) {
          reply(rid, "ERR command of " + t.bytes() + " bytes exceeds the limit of " + t.maxBytes());
        } else {
          reply(rid, "RETRY dropped");
        }
      }, SAME_THREAD);
    }

    private void read(String rid, String key) {
      CompletionStage<RaftNodeActor.ReadReply> answer = AskPattern.ask(node,
          r -> new RaftNodeActor.Read(sm -> ((KvStateMachine) sm).get(key).getBytes(StandardCharsets.UTF_8), r),
          ASK_TIMEOUT, system.scheduler());
      answer.whenCompleteAsync((a, err) -> {
        if (err != null) {
          reply(rid, "RETRY timeout");
        } else if (a instanceof RaftNodeActor.ReadResult r) {
          reply(rid, "OK " + new String(r.value(), StandardCharsets.UTF_8));
        } else if (a instanceof RaftNodeActor.NotLeader n) {
          reply(rid, redirect(n.leaderHint()));
        }
      }, SAME_THREAD);
    }

    private void status(String rid) {
      CompletionStage<RaftNodeActor.Status> answer = AskPattern.ask(node,
          RaftNodeActor.GetStatus::new, ASK_TIMEOUT, system.scheduler());
      answer.whenCompleteAsync((s, err) -> {
        if (err != null) {
          reply(rid, "RETRY timeout");
        } else {
          reply(rid, "OK id=" + s.id() + " role=" + s.role() + " term=" + s.term() + " leader=" + s.leader()
              + " commit=" + s.commitIndex() + " applied=" + s.appliedIndex());
        }
      }, SAME_THREAD);
    }

    private String redirect(long leader) {
      String address = leader == RaftCore.NONE || leader == id ? "-" : peerClients.getOrDefault(leader, "-");
      return "REDIRECT " + leader + " " + address;
    }
  }
}
