package dev.quern.worker.cluster;

import dev.quern.api.Counters;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskSpec;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages between master and worker processes (and between masters) over Artery, written by
 * {@link ClusterWireSerializer}. Nothing else of the cluster layer crosses a process boundary.
 */
public sealed interface ClusterWire {

  /** What a master's cluster actor hears from the network. */
  sealed interface ToMaster extends ClusterWire {}

  /** What a worker's agent hears from the network. */
  sealed interface ToWorker extends ClusterWire {}

  /**
   * Every message a leader sends a worker carries the term it leads in and its id; a worker
   * refuses one from a lower term than it has seen ({@link TermFence}).
   */
  sealed interface FromLeader extends ToWorker {
    long term();

    String leaderId();
  }

  /**
   * A worker's registration and heartbeat in one: a leader that does not know the worker (it
   * started, or the leader is new) registers it from this.
   *
   * @param address the worker's Artery address, {@code host:port}
   * @param running the attempts it runs, by id
   * @param seenTerm the highest leader term it has accepted (0 before any)
   * @param registering true until a leader accepted it (first start, or after losing the leader)
   * @param http its shuffle server's {@code host:port}, which also serves its {@code /metrics};
   *     "" when it runs no attempts
   * @param executors its live executor JVMs (none with in-process attempts)
   */
  record Heartbeat(String workerId, String address, int slots, int freeSlots, List<String> running,
      long seenTerm, boolean registering, ActorRef<ToWorker> replyTo, String http,
      List<ExecutorReport> executors) implements ToMaster {
    public Heartbeat {
      running = List.copyOf(running);
      http = http == null ? "" : http;
      executors = executors == null ? List.of() : List.copyOf(executors);
    }

    /** Without executors. */
    public Heartbeat(String workerId, String address, int slots, int freeSlots,
        List<String> running, long seenTerm, boolean registering, ActorRef<ToWorker> replyTo,
        String http) {
      this(workerId, address, slots, freeSlots, running, seenTerm, registering, replyTo, http,
          List.of());
    }

    /** A worker with no HTTP server (one that only heartbeats). */
    public Heartbeat(String workerId, String address, int slots, int freeSlots,
        List<String> running, long seenTerm, boolean registering, ActorRef<ToWorker> replyTo) {
      this(workerId, address, slots, freeSlots, running, seenTerm, registering, replyTo, "");
    }
  }

  /**
   * One executor JVM of a worker, as its heartbeat reports it (for the workers page).
   *
   * @param memory its heap ({@code -Xmx})
   * @param startedMillis when it started, epoch millis (the worker's clock)
   * @param running attempts running in it now
   * @param generation 1 for the job's first executor on the worker, 2 after one ended, ...
   */
  record ExecutorReport(String jobId, long pid, String memory, long startedMillis, int running,
      int generation) {}

  // ---- attempt logs --------------------------------------------------------------------------

  /**
   * The leader asks a worker for a chunk of an attempt's log ({@code stream}: stdout, stderr or
   * log) for a client of its HTTP API. Not fenced by term: it reads, and only the cluster's
   * processes reach the worker over Artery. The answer is a {@link LogChunk}.
   *
   * @param attempt the attempt in its directory form, e.g. {@code m-00002_1}
   * @param length at most this many bytes (the worker answers at most 128 KiB)
   */
  record FetchLogs(String jobId, String attempt, String stream, long offset, int length,
      ActorRef<ToMaster> replyTo) implements ToWorker {}

  /**
   * A worker's answer to {@link FetchLogs}: {@code status} OK with {@code size} (the file's size
   * now) and the bytes from {@code offset}; or NOT_FOUND, EXPIRED or BAD_REQUEST with a message.
   */
  record LogChunk(String workerId, String status, String message, long size, long offset,
      byte[] bytes) implements ToMaster {
    public LogChunk {
      bytes = bytes == null ? new byte[0] : bytes;
      message = message == null ? "" : message;
    }
  }

  /**
   * A worker's answer to a leader message it refused ({@link TermFence}): it follows
   * {@code leaderId} in the higher {@code term}, so the sender has been deposed.
   */
  record Refused(String workerId, long term, String leaderId) implements ToMaster {}

  /** One master tells the others where its HTTP endpoint is (for redirects to the leader). */
  record MasterHello(String masterId, String httpAddress) implements ToMaster {}

  /** The leader took the heartbeat; {@code leader} is where the next one goes. */
  record Accepted(long term, String leaderId, ActorRef<ToMaster> leader) implements FromLeader {}

  /**
   * A master that does not lead answers a heartbeat with this: who leads as far as it knows
   * ({@code leaderId} and its Artery {@code leaderAddress}, both empty if it does not know).
   * The leader sends it naming itself to a worker its scheduling session does not know, which
   * still follows it from an earlier session: register again.
   */
  record NotLeader(String masterId, long term, String leaderId, String leaderAddress)
      implements ToWorker {}

  // ---- attempts ----------------------------------------------------------------------------------

  /**
   * Run an attempt. The leader sends it only once the attempt's start is applied in the log, so
   * an attempt id is never handed out twice, by one leader or two. {@code task} is written by
   * {@link TaskSpecCodec}.
   */
  record RunAttempt(long term, String leaderId, TaskSpec task) implements FromLeader {}

  /** Stop an attempt (its task finished elsewhere, its job ended, or it went silent). */
  record KillAttempt(long term, String leaderId, TaskAttemptId attempt, String reason)
      implements FromLeader {}

  /** The answer to {@link CanCommit}, sent once a grant is applied in the log. */
  record CommitAnswer(long term, String leaderId, TaskAttemptId attempt, boolean granted,
      String reason) implements FromLeader {}

  /**
   * The job ended (succeeded, failed or was killed): the worker removes its scratch directory
   * (map outputs no reducer will read again) and closes the job's class loader.
   */
  record JobEnded(long term, String leaderId, String jobId) implements FromLeader {}

  /**
   * The leader's book has these final reports ({@link AttemptDone}, {@link AttemptFailed},
   * {@link AttemptKilled}) of the worker: the entry that ends each attempt is applied, or the
   * book had ended it already, or it does not know the attempt or its job any more. The worker
   * keeps a final report until it hears this from the leader it follows, in that leader's term
   * (an ack from any other leader or term is ignored), and sends it again meanwhile. Acks of
   * reports that arrive together are sent together.
   */
  record FinalsAcked(long term, String leaderId, List<TaskAttemptId> attempts)
      implements FromLeader {
    public FinalsAcked {
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * The masters' HTTP addresses as the leader knows them, sent when a worker registers and when
   * the masters change: where the worker fetches stored job jars. {@code raftAddresses}: the
   * members' Artery addresses ({@code host:port}), which the worker heartbeats besides its
   * {@code --masters}, so that it finds a leader among masters added after it started.
   */
  record MasterDirectory(long term, String leaderId, List<String> httpAddresses,
      List<String> raftAddresses) implements FromLeader {
    public MasterDirectory {
      httpAddresses = List.copyOf(httpAddresses);
      raftAddresses = List.copyOf(raftAddresses);
    }

    /** Without Artery addresses (what an older leader sends). */
    public MasterDirectory(long term, String leaderId, List<String> httpAddresses) {
      this(term, leaderId, httpAddresses, List.of());
    }
  }

  /**
   * The map outputs a running reduce attempt reads changed (see {@code WorkerCommand
   * .MapOutputsChanged}): {@code added} exist now, {@code withdrawn} map attempts' are gone. Sent
   * once the change is applied in the log, after the attempt's {@link RunAttempt}.
   */
  record MapOutputsChanged(long term, String leaderId, TaskAttemptId attempt,
      List<MapOutputRef> added, List<TaskAttemptId> withdrawn) implements FromLeader {
    public MapOutputsChanged {
      added = List.copyOf(added);
      withdrawn = List.copyOf(withdrawn);
    }
  }

  /** An attempt's progress, from 0 to 1. */
  record AttemptProgress(String workerId, TaskAttemptId attempt, float fraction)
      implements ToMaster {}

  /**
   * An attempt succeeded. For a map attempt with reduces, {@code mapOutput} names the worker's
   * shuffle server as its host; otherwise it is null.
   */
  record AttemptDone(String workerId, TaskAttemptId attempt, Counters counters,
      MapOutputRef mapOutput) implements ToMaster {}

  /**
   * An attempt failed. {@code lostOutput} (nullable) is the map output a reduce could not read;
   * {@code stackTrace} is nullable.
   */
  record AttemptFailed(String workerId, TaskAttemptId attempt, String message, String stackTrace,
      MapOutputRef lostOutput) implements ToMaster {}

  /** An attempt stopped without a result (killed, no free slot, commit denied). */
  record AttemptKilled(String workerId, TaskAttemptId attempt, String reason)
      implements ToMaster {}

  /** An output-writing attempt asks to commit; the answer is {@link CommitAnswer}. */
  record CanCommit(String workerId, TaskAttemptId attempt, ActorRef<ToWorker> replyTo)
      implements ToMaster {}
}
