package dev.quern.worker.cluster;

/**
 * A worker's memory of the newest leader it has obeyed. A message from an older term comes from a
 * deposed leader (one that was paused or cut off while another was elected), so it is refused; so
 * is one from a second leader claiming a term that another leader already holds, which Raft never
 * allows and which therefore can only be a bug or an impostor. Not thread-safe: the agent's.
 */
public final class TermFence {
  private long term;
  private String leaderId = "";

  /** Whether a message from {@code leaderId} in {@code term} may be obeyed; if so, remembers it. */
  public boolean admit(long term, String leaderId) {
    if (term < this.term || (term == this.term && !leaderId.equals(this.leaderId))) {
      return false;
    }
    this.term = term;
    this.leaderId = leaderId;
    return true;
  }

  /** The highest term admitted (0 before any). */
  public long term() {
    return term;
  }

  /** The leader of {@link #term()} ("" before any). */
  public String leaderId() {
    return leaderId;
  }
}
