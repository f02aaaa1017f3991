package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.StoredSplits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * How the HTTP endpoint's threads ask this master's {@link JobLeader}: blocking asks with a bound.
 * The endpoint starts before the actor system (the cluster actor announces its address), so the
 * leader is attached once it runs; until then every ask answers "not leading".
 */
final class LeaderPort {
  private static final Duration ASK = Duration.ofSeconds(30);

  private volatile ActorSystem<?> system;
  private volatile ActorRef<JobLeader.Command> leader;

  void attach(ActorSystem<?> system, ActorRef<JobLeader.Command> leader) {
    this.system = system;
    this.leader = leader;
  }

  JobLeader.SubmitReply submit(JobSpec spec, List<BookSplit> splits, StoredSplits stored) {
    return this.<JobLeader.SubmitReply>ask(r -> new JobLeader.Submit(spec, splits, stored, r),
        "submission of " + spec.name());
  }

  JobLeader.KillReply kill(String jobId, String reason) {
    return this.<JobLeader.KillReply>ask(r -> new JobLeader.Kill(jobId, reason, r),
        "kill of " + jobId);
  }

  @SuppressWarnings("unchecked")
  private <T> T ask(java.util.function.Function<ActorRef<T>, JobLeader.Command> message,
      String what) {
    ActorRef<JobLeader.Command> l = leader;
    ActorSystem<?> s = system;
    if (l == null || s == null) {
      return (T) new JobLeader.NotLeading("this master is still starting");
    }
    try {
      return AskPattern.<JobLeader.Command, T>ask(l, message::apply, ASK, s.scheduler())
          .toCompletableFuture().get(ASK.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return (T) new JobLeader.NotLeading("interrupted while waiting for the " + what);
    } catch (ExecutionException | TimeoutException e) {
      return (T) new JobLeader.NotLeading("the " + what + " got no answer within " + ASK.toSeconds()
          + " s (is a majority of masters up?)");
    }
  }
}
