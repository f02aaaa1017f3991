package dev.quern.raft;

/**
 * Volatile state that is useful to the driver (redirecting clients, logging) but never persisted.
 *
 * @param leader the leader this node knows of in its term, or {@link RaftCore#NONE}
 * @param role   this node's role
 */
public record SoftState(long leader, Role role) {
}
