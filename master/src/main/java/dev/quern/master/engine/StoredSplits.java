package dev.quern.master.engine;

import java.util.regex.Pattern;

/**
 * Where a cluster job's split list is: not in the replicated log, but in the masters' split store
 * under the SHA-256 of its encoding ({@link SplitListCodec}), put on a majority of masters before
 * the job's {@code JobAccepted} is proposed. The book needs only this much of it: the hash to find
 * the list by, and the count, which is the number of the job's map tasks. The leader's scheduler
 * loads the list itself as soft state ({@link Scheduler#splitsArrived}).
 *
 * @param sha256 64 lowercase hex digits
 * @param count how many splits the list holds
 */
public record StoredSplits(String sha256, int count) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public StoredSplits {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("a split list's hash is 64 lowercase hex digits, not '"
          + sha256 + "'");
    }
    if (count < 0) {
      throw new IllegalArgumentException("a split list of " + count + " splits");
    }
  }

  /** The hash cut short, for logs and views. */
  public String shortHash() {
    return sha256.substring(0, 12);
  }
}
