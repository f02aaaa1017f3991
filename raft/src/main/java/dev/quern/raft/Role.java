package dev.quern.raft;

/** The role a node plays in its current term. */
public enum Role {
  FOLLOWER,
  /** Probing with pre-votes whether it could win, without raising its term. */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
