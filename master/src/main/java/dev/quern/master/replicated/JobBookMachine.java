package dev.quern.master.replicated;

import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.Outcome;
import dev.quern.raft.StateMachine;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>A batch entry ({@link #encodeBatch}) holds several events, applied in order as if each
 *   were its own entry; its result ({@link #decodeOutcomes}) lists one outcome per event. A
 *   batch whose framing is damaged is rejected whole, with nothing applied. The leader batches
 *   the events one input to its scheduler decided, so a task costs fewer entries.</li>
 *   <li>{@link #snapshot} and {@link #restore} write and read the whole book
 *   ({@link BookCodec#snapshot}).</li>
 * </ul>
 *
 * <p>Not thread-safe: the thread that applies entries owns it, and reads {@link #book()} on that
 * thread only.
 */
public final class JobBookMachine implements StateMachine {
  private static final Logger log = LoggerFactory.getLogger(JobBookMachine.class);
  /**
   * The first byte of a batch entry. A single event starts with its format version (1 to 3),
   * so the two never collide.
   */
  static final byte BATCH = 0x42;
  private static final int MAX_BATCH = 100_000;

  private JobBook book = new JobBook();
  private final BookListener listener;

  /** A machine holding an empty book. */
  public JobBookMachine() {
    this(BookListener.NONE);
  }

  /** A machine holding an empty book; {@code listener} hears of every change, on this thread. */
  public JobBookMachine(BookListener listener) {
    this.listener = listener;
  }

  /** The current book; replaced by {@link #restore}, so do not keep it across one. */
  public JobBook book() {
    return book;
  }

  @Override
  public byte[] apply(byte[] command) {
    if (command.length > 0 && command[0] == BATCH) {
      return applyBatch(command);
    }
    return applyOne(command);
  }

  private byte[] applyOne(byte[] command) {
    Set<String> changed = new LinkedHashSet<>();
    List<BookJob> retired = new ArrayList<>();
    byte[] result = applyOne(command, changed, retired);
    tell(changed, retired);
    return result;
  }

  private byte[] applyOne(byte[] command, Set<String> changed, List<BookJob> retired) {
    JobEvent event;
    try {
      event = BookCodec.decodeEvent(command);
    } catch (RuntimeException e) {
      return BookCodec.encode(new Outcome.Rejected("undecodable entry: " + e.getMessage()));
    }
    // A retired job leaves the book: keep it as it was, for the listener (history).
    BookJob leaving = event instanceof JobEvent.JobRetired r ? book.job(r.jobId()) : null;
    Outcome outcome = book.apply(event);
    if (outcome instanceof Outcome.Applied a && a.jobId() != null) {
      changed.add(a.jobId());
      if (leaving != null) {
        retired.add(leaving);
      }
    }
    return BookCodec.encode(outcome);
  }

  private void tell(Set<String> changed, List<BookJob> retired) {
    if (!changed.isEmpty()) {
      try {
        listener.applied(book, changed);
      } catch (RuntimeException e) {
        // A listener's bug must not make masters' state machines diverge or stop.
        log.warn("the book listener failed on jobs {}", changed, e);
      }
    }
    if (!retired.isEmpty()) {
      try {
        listener.retired(List.copyOf(retired));
      } catch (RuntimeException e) {
        log.warn("the book listener failed on retired jobs", e);
      }
    }
  }

  @Override
  public byte[] snapshot() {
    return BookCodec.snapshot(book);
  }

  /** Replaces the book; throws {@link IllegalArgumentException} if the image is not one. */
  @Override
  public void restore(byte[] snapshot) {
    book = BookCodec.restore(snapshot);
    try {
      listener.restored(book);
    } catch (RuntimeException e) {
      log.warn("the book listener failed on a restored book", e);
    }
  }

  private byte[] applyBatch(byte[] command) {
    List<byte[]> events;
    try {
      events = unframe(command);
    } catch (RuntimeException e) {
      return frame(List.of(BookCodec.encode(
          new Outcome.Rejected("undecodable batch entry: " + e))));
    }
    List<byte[]> outcomes = new ArrayList<>(events.size());
    Set<String> changed = new LinkedHashSet<>();
    List<BookJob> retired = new ArrayList<>();
    for (byte[] event : events) {
      outcomes.add(applyOne(event, changed, retired));
    }
    tell(changed, retired);
    return frame(outcomes);
  }

  /** One entry holding {@code events}, applied in order. */
  public static byte[] encodeBatch(List<JobEvent> events) {
    List<byte[]> parts = new ArrayList<>(events.size());
    for (JobEvent e : events) {
      parts.add(BookCodec.encode(e));
    }
    return frame(parts);
  }

  /**
   * Reads what {@link #apply} returned for a batch entry: one outcome per event, or a single
   * {@link Outcome.Rejected} if the batch could not be read.
   */
  public static List<Outcome> decodeOutcomes(byte[] result) {
    List<Outcome> out = new ArrayList<>();
    for (byte[] part : unframe(result)) {
      out.add(BookCodec.decodeOutcome(part));
    }
    return out;
  }

  private static byte[] frame(List<byte[]> parts) {
    int size = 5;
    for (byte[] p : parts) {
      size += 4 + p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).put(BATCH).putInt(parts.size());
    parts.forEach(p -> b.putInt(p.length).put(p));
    return b.array();
  }

  private static List<byte[]> unframe(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      if (b.get() != BATCH) {
        throw new IllegalArgumentException("not a batch");
      }
      int n = b.getInt();
      if (n < 0 || n > MAX_BATCH) {
        throw new IllegalArgumentException("batch of " + n + " events");
      }
      List<byte[]> parts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new IllegalArgumentException("event " + i + " of " + len + " bytes");
        }
        byte[] p = new byte[len];
        b.get(p);
        parts.add(p);
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(b.remaining() + " bytes after the batch");
      }
      return parts;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated batch");
    }
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
