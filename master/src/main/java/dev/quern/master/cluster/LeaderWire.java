package dev.quern.master.cluster;

import dev.quern.master.engine.Effect;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.AttemptFailed;
import dev.quern.worker.cluster.ClusterWire.AttemptKilled;
import dev.quern.worker.cluster.ClusterWire.AttemptProgress;
import dev.quern.worker.cluster.ClusterWire.CanCommit;
import dev.quern.worker.cluster.ClusterWire.CommitAnswer;
import dev.quern.worker.cluster.ClusterWire.KillAttempt;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskResult;
import java.util.List;
import java.util.Optional;

/**
 * The leader's translation between {@link ClusterWire} and the {@link dev.quern.master.engine
 * .Scheduler}'s vocabulary: a worker's attempt message becomes the {@link WorkerReport} the
 * scheduler takes, and an {@link Effect} for a worker becomes the message to send, stamped with
 * the leader's term and id (the worker's fence). A commit question's answer goes to the worker
 * that asked, so the scheduler's request carries no reply address here. A final report is
 * acknowledged ({@link ClusterWire.FinalsAcked}) once the book has the attempt's end.
 */
public final class LeaderWire {
  private LeaderWire() {}

  /** A worker's attempt message as a scheduler input; empty for other messages. */
  public static Optional<WorkerReport> report(ToMaster m) {
    if (m instanceof AttemptProgress p) {
      return Optional.of(new WorkerReport.AttemptProgress(p.attempt(), p.fraction()));
    } else if (m instanceof AttemptDone d) {
      return Optional.of(new WorkerReport.AttemptSucceeded(d.attempt(), d.workerId(),
          new TaskResult(d.attempt(), d.counters(), d.mapOutput())));
    } else if (m instanceof AttemptFailed f) {
      return Optional.of(new WorkerReport.AttemptFailed(f.attempt(), f.workerId(), f.message(),
          f.stackTrace(), f.lostOutput()));
    } else if (m instanceof AttemptKilled k) {
      return Optional.of(new WorkerReport.AttemptKilled(k.attempt(), k.workerId(), k.reason()));
    } else if (m instanceof CanCommit c) {
      return Optional.of(new WorkerReport.CanCommit(c.attempt(), null));
    }
    return Optional.empty();
  }

  /** A worker's final report of an attempt: what the leader acknowledges once its book has it. */
  public record FinalReport(String workerId, TaskAttemptId attempt) {}

  /** The worker and attempt of a final report (done, failed, killed); empty for other messages. */
  public static Optional<FinalReport> finalReport(ToMaster m) {
    if (m instanceof AttemptDone d) {
      return Optional.of(new FinalReport(d.workerId(), d.attempt()));
    } else if (m instanceof AttemptFailed f) {
      return Optional.of(new FinalReport(f.workerId(), f.attempt()));
    } else if (m instanceof AttemptKilled k) {
      return Optional.of(new FinalReport(k.workerId(), k.attempt()));
    }
    return Optional.empty();
  }

  /** The acknowledgement of a worker's final reports, stamped with the leader's term and id. */
  public static ClusterWire.FinalsAcked ack(long term, String leaderId,
      List<TaskAttemptId> attempts) {
    return new ClusterWire.FinalsAcked(term, leaderId, attempts);
  }

  /** An effect addressed to a worker. */
  public record ToWorker(String workerId, ClusterWire.FromLeader message) {}

  /** The message an effect sends to a worker; empty for the leader's own file work. */
  public static Optional<ToWorker> message(Effect e, long term, String leaderId) {
    if (e instanceof Effect.RunTask r) {
      return Optional.of(new ToWorker(r.workerId(), new RunAttempt(term, leaderId, r.spec())));
    } else if (e instanceof Effect.KillTask k) {
      return Optional.of(new ToWorker(k.workerId(),
          new KillAttempt(term, leaderId, k.attempt(), k.reason())));
    } else if (e instanceof Effect.MapOutputsChanged c) {
      return Optional.of(new ToWorker(c.workerId(), new ClusterWire.MapOutputsChanged(term,
          leaderId, c.attempt(), c.added(), c.withdrawn())));
    }
    return Optional.empty();
  }

  /**
   * The answer of an {@link Effect.AnswerCommit}, to send to the worker that asked (the leader
   * keeps who asked, by attempt).
   */
  public static CommitAnswer answer(Effect.AnswerCommit a, long term, String leaderId) {
    WorkerReport.CommitAnswer answer = a.answer();
    return new CommitAnswer(term, leaderId, answer.attempt(), answer.granted(), answer.reason());
  }
}
