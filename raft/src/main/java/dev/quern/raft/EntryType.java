package dev.quern.raft;

/** What a log entry carries. */
public enum EntryType {
  /** An application command, opaque to Raft. */
  NORMAL,
  /** A {@link ConfChange}, encoded with {@link ConfChange#encode()}; it takes effect when appended. */
  CONF_CHANGE,
  /** The empty entry a new leader appends so that it has an entry of its own term to commit. */
  NO_OP
}
