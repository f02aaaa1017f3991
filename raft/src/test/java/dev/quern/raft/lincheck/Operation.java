package dev.quern.raft.lincheck;

/**
 * One client operation in a history: what was asked, when, what came back, and when.
 *
 * <p>An operation that never returned (the client crashed or timed out) has {@code returnTime ==
 * }{@link #NEVER} and a {@code null} output, meaning "unknown": it may have taken effect at any point
 * after its call, or not at all. Use {@link #pending} to build one.
 *
 * <pre>{@code
 * new Operation<>(1, KvInput.put("x", "a"), 0, "", 10);   // returned at t=10
 * Operation.pending(2, KvInput.append("x", "b"), 5);        // timed out
 * }</pre>
 *
 * @param clientId who issued it (for explanations; a client has one operation at a time)
 * @param input the request
 * @param callTime when it was invoked (any monotonic clock)
 * @param output the response, or {@code null} if unknown
 * @param returnTime when the response arrived, or {@link #NEVER}
 */
public record Operation<I, O>(int clientId, I input, long callTime, O output, long returnTime) {

  /** Return time of an operation whose response never arrived. */
  public static final long NEVER = Long.MAX_VALUE;

  public Operation {
    if (returnTime < callTime) {
      throw new IllegalArgumentException("operation returns (" + returnTime + ") before it is called (" + callTime + ")");
    }
  }

  /** An operation that never returned: unknown output, infinite return time. */
  public static <I, O> Operation<I, O> pending(int clientId, I input, long callTime) {
    return new Operation<>(clientId, input, callTime, null, NEVER);
  }

  public boolean isPending() {
    return returnTime == NEVER;
  }
}
