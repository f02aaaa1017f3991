package dev.quern.raft;

/**
 * A linearizable read that is ready: once the application has applied up to {@code index}, it may
 * answer the read identified by {@code context} from its local state.
 */
public record ReadState(long index, long context) {
}
