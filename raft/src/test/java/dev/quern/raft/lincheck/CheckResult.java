package dev.quern.raft.lincheck;

import java.util.List;

/**
 * The verdict on a history.
 *
 * @param outcome OK (linearizable), ILLEGAL (not), or UNKNOWN (the time budget ran out)
 * @param explanation for ILLEGAL: the sub-history that failed, its longest linearizable prefix and
 *     the operation that could not be placed after it; otherwise a short note
 * @param longestPrefix for ILLEGAL, the operations of the longest linearizable prefix found in the
 *     failing sub-history, in linearization order; empty otherwise
 */
public record CheckResult(Outcome outcome, String explanation, List<Operation<?, ?>> longestPrefix) {

  public enum Outcome { OK, ILLEGAL, UNKNOWN }

  public CheckResult {
    longestPrefix = List.copyOf(longestPrefix);
  }

  public boolean isOk() {
    return outcome == Outcome.OK;
  }

  public boolean isIllegal() {
    return outcome == Outcome.ILLEGAL;
  }

  @Override
  public String toString() {
    return outcome + ": " + explanation;
  }
}
