package dev.quern.master.replicated;

import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.Outcome;
import dev.quern.raft.StateMachine;

/**
 * The {@link JobBook} as the state machine of the masters' Raft group.
 *
 * <ul>
 *   <li>An entry is a {@link JobEvent} encoded by {@link #encode(JobEvent)} (the leader's
 *   proposal).</li>
 *   <li>{@link #apply} decodes it, applies it to the book and returns the {@link Outcome}
 *   encoded; {@link #decodeOutcome} reads it: {@link Outcome.Applied} with the job's id (for a
 *   JobAccepted, the id the book gave the job), or {@link Outcome.Rejected} with the reason when
 *   the event did not fit the book or the entry could not be decoded. Apply never throws, and is
 *   deterministic: every master gets the same outcome for the same entry.</li>
 *   <li>{@link #snapshot} and {@link #restore} write and read the whole book
 *   ({@link BookCodec#snapshot}).</li>
 * </ul>
 *
 * <p>Not thread-safe: the thread that applies entries owns it, and reads {@link #book()} on that
 * thread only.
 */
public final class JobBookMachine implements StateMachine {
  private JobBook book = new JobBook();

  /** A machine holding an empty book. */
  public JobBookMachine() {}

  /** The current book; replaced by {@link #restore}, so do not keep it across one. */
  public JobBook book() {
    return book;
  }

  @Override
  public byte[] apply(byte[] command) {
    JobEvent event;
    try {
      event = BookCodec.decodeEvent(command);
    } catch (RuntimeException e) {
      return BookCodec.encode(new Outcome.Rejected("undecodable entry: " + e.getMessage()));
    }
    return BookCodec.encode(book.apply(event));
  }

  @Override
  public byte[] snapshot() {
    return BookCodec.snapshot(book);
  }

  /** Replaces the book; throws {@link IllegalArgumentException} if the image is not one. */
  @Override
  public void restore(byte[] snapshot) {
    book = BookCodec.restore(snapshot);
  }

  /** An entry to propose. */
  public static byte[] encode(JobEvent event) {
    return BookCodec.encode(event);
  }

  /** Reads what {@link #apply} returned. */
  public static Outcome decodeOutcome(byte[] result) {
    return BookCodec.decodeOutcome(result);
  }
}
