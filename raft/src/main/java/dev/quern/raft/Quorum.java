package dev.quern.raft;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Majority arithmetic over a set of voters. */
final class Quorum {

  enum VoteResult { PENDING, WON, LOST }

  private Quorum() {
  }

  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /** The largest index that a majority of voters has matched. */
  static long committedIndex(List<Long> voters, ToLongFunction<Long> match) {
    if (voters.isEmpty()) {
      return Long.MAX_VALUE; // no voters: nothing to wait for (callers never commit beyond lastIndex)
    }
    long[] m = new long[voters.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = match.applyAsLong(voters.get(i));
    }
    Arrays.sort(m);
    // Sorted ascending, the element at n - majority is matched by at least a majority.
    return m[m.length - majority(m.length)];
  }

  /** Outcome of an election given the votes received so far (true = granted). */
  static VoteResult voteResult(List<Long> voters, Map<Long, Boolean> votes) {
    int granted = 0;
    int rejected = 0;
    for (long v : voters) {
      Boolean b = votes.get(v);
      if (b == null) {
        continue;
      }
      if (b) {
        granted++;
      } else {
        rejected++;
      }
    }
    int q = majority(voters.size());
    if (granted >= q) {
      return VoteResult.WON;
    }
    if (rejected > voters.size() - q) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }
}
