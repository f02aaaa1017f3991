package dev.quern.master.engine;

import dev.quern.api.JobSpec;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.actor.WorkerReport;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/** What the master actor hears. */
public sealed interface MasterCommand {

  /**
   * Accept a checked job (configuration merged, splits planned). The book gives the job its id;
   * {@code onAccepted} hears it (on the master's thread, before any task of the job starts), and
   * the answer, sent once JobAccepted is in the book, carries the job's first view.
   *
   * @param splits the splits as planned, handed to this process's map tasks as they are
   * @param planned the same splits as the book records them ({@link BookSplit#ofAll})
   */
  record SubmitJob(JobSpec spec, List<InputSplit> splits, List<BookSplit> planned,
      Consumer<String> onAccepted, ActorRef<SubmitAnswer> replyTo) implements MasterCommand {
    public SubmitJob {
      splits = List.copyOf(splits);
      planned = List.copyOf(planned);
    }
  }

  /**
   * Kill a job; the answer says whether it was killed (false if it had already ended). {@code
   * reason} (who, and when) becomes the job's failure text.
   */
  record KillJob(String jobId, String reason, ActorRef<Boolean> replyTo)
      implements MasterCommand {
    public KillJob(String jobId, ActorRef<Boolean> replyTo) {
      this(jobId, null, replyTo);
    }
  }

  /** A worker's report, through the master's message adapter. */
  record FromWorker(WorkerReport report) implements MasterCommand {}

  /** A watched worker stopped. */
  record WorkerGone(String workerId) implements MasterCommand {}

  /** The job commit (or its failure, when {@code error} is not null) finished off the actor. */
  record JobCommitFinished(String jobId, long endTime, String error) implements MasterCommand {}

  /** Asks for the address workers send their reports to (the master's adapter). */
  record GetReportPort(ActorRef<ActorRef<WorkerReport>> replyTo) implements MasterCommand {}

  /** The master's own tick: fail attempts that went silent for longer than their timeout. */
  record CheckTimeouts() implements MasterCommand {}
}
