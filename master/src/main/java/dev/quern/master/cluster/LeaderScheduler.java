package dev.quern.master.cluster;

import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.JobJournal;
import dev.quern.master.engine.Outcome;
import dev.quern.master.engine.Scheduler;
import dev.quern.master.engine.SchedulerSettings;
import dev.quern.master.replicated.JobBookMachine;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The leader's {@link Scheduler} over the replicated job book, without actors or I/O.
 *
 * <p>The scheduler decides on its own copy of the book, taken from the replicated one once the
 * leader's first entry of its term is applied; the leader is the only proposer, so as long as its
 * entries are applied in the order it proposed them the copy and every master's book stay equal.
 * After each input, the events the scheduler applied become one batch entry ({@link
 * #afterInput}), and the effects it decided are held until that entry is applied ({@link
 * #applied}): a worker never hears of an attempt whose start is not committed, and a commit
 * grant is answered only once it is in the log. Because attempt numbers come from the book and a
 * start is sent only once committed, no two leaders hand out the same attempt id.
 *
 * <p>If an entry comes back with outcomes other than the copy's (another proposer, or a lost
 * entry), or a proposal fails, the copy is no longer the book: {@link #broken} turns true and
 * the owner must drop this object and start over from the replicated book.
 *
 * <p>Not thread-safe: the leader actor owns it.
 */
public final class LeaderScheduler {

  /** An entry to propose; answer with {@link #applied} or {@link #failed} under its {@code seq}. */
  public record Proposal(long seq, byte[] entry) {}

  private record Pending(long seq, List<JobEvent> events, List<Effect> effects) {}

  private final JobJournal journal = new JobJournal();
  private final Scheduler scheduler;
  private final Deque<Pending> pending = new ArrayDeque<>();
  private int proposedEvents;
  private long nextSeq = 1;
  private String broken;

  /**
   * @param replicated the applied book, copied here (read it on the thread that applies entries)
   * @param workDir the scratch root of map outputs on the workers
   */
  public LeaderScheduler(JobBook replicated, Path workDir) {
    // Workers are processes of their own here: their map outputs die with them.
    this(replicated, workDir, SchedulerSettings.CLUSTER);
  }

  /** With {@code settings} (a master's {@link SchedulingConfig}) for the scheduler. */
  public LeaderScheduler(JobBook replicated, Path workDir, SchedulerSettings settings) {
    this.scheduler = new Scheduler(BookCodec.restore(BookCodec.snapshot(replicated)), workDir,
        journal, settings);
  }

  /** Feed inputs here (with their time), then call {@link #afterInput}. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Starts the term: see {@link Scheduler#takeOver}. Call {@link #afterInput} next. */
  public void takeOver(long time) {
    scheduler.takeOver(time);
  }

  /**
   * Retires the ended jobs past {@code retention}'s limits at {@code time} (one {@code
   * JobRetired} each, in the next entry); call {@link #afterInput} next. Returns how many.
   */
  public int retire(Retention retention, long time) {
    List<String> due = retention.due(scheduler.book(), time);
    int n = 0;
    for (String jobId : due) {
      n += scheduler.retire(jobId, time) ? 1 : 0;
    }
    return n;
  }

  /**
   * What the last input decided: the entry to propose, if it changed the book. Its effects wait
   * for that entry, and for every entry proposed before it; an input that changed nothing has
   * its effects queued behind the entries still in flight.
   *
   * @param runNow receives the effects that may run at once (nothing is in flight)
   */
  public Optional<Proposal> afterInput(Consumer<List<Effect>> runNow) {
    List<JobEvent> events = journal.since(proposedEvents);
    proposedEvents += events.size();
    List<Effect> effects = scheduler.drainEffects();
    if (events.isEmpty()) {
      if (pending.isEmpty()) {
        if (!effects.isEmpty()) {
          runNow.accept(effects);
        }
      } else {
        pending.peekLast().effects().addAll(effects);
      }
      return Optional.empty();
    }
    Pending p = new Pending(nextSeq++, events, new ArrayList<>(effects));
    pending.addLast(p);
    return Optional.of(new Proposal(p.seq(), JobBookMachine.encodeBatch(events)));
  }

  /**
   * The entry {@code seq} was applied with {@code result} (what {@link JobBookMachine#apply}
   * returned). Returns the effects that may run now, in order; none if the outcomes differ from
   * the copy's (then {@link #broken}).
   */
  public List<Effect> applied(long seq, byte[] result) {
    Pending head = pending.peekFirst();
    if (broken != null) {
      return List.of();
    }
    if (head == null || head.seq() != seq) {
      return breakWith("entry " + seq + " applied out of order (expected "
          + (head == null ? "none" : head.seq()) + ")");
    }
    List<Outcome> outcomes;
    try {
      outcomes = JobBookMachine.decodeOutcomes(result);
    } catch (RuntimeException e) {
      return breakWith("unreadable result of entry " + seq + ": " + e);
    }
    if (outcomes.size() != head.events().size()) {
      return breakWith("entry " + seq + " applied " + outcomes.size() + " of "
          + head.events().size() + " events: " + outcomes);
    }
    for (int i = 0; i < outcomes.size(); i++) {
      if (!(outcomes.get(i) instanceof Outcome.Applied)) {
        return breakWith("the replicated book refused " + head.events().get(i) + ": "
            + outcomes.get(i));
      }
    }
    pending.removeFirst();
    return head.effects();
  }

  /** The entry {@code seq} was not applied (not leader any more, dropped, timed out). */
  public void failed(long seq, String why) {
    breakWith("entry " + seq + " failed: " + why);
  }

  /** Why this copy is no longer the book, or null while it is. */
  public String broken() {
    return broken;
  }

  /** Entries proposed and not yet applied. */
  public int inFlight() {
    return pending.size();
  }

  private List<Effect> breakWith(String why) {
    if (broken == null) {
      broken = why;
    }
    return List.of();
  }
}
