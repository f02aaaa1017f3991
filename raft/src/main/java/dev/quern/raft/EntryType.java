package dev.quern.raft;

/**
 * What a log entry carries. Encodings use {@link #code()}, never the ordinal, so that reordering or
 * adding constants cannot change what stored or sent bytes mean.
 */
public enum EntryType {
  /** An application command, opaque to Raft. */
  NORMAL(0),
  /** A {@link ConfChange}, encoded with {@link ConfChange#encode()}; it takes effect when appended. */
  CONF_CHANGE(1),
  /** The empty entry a new leader appends so that it has an entry of its own term to commit. */
  NO_OP(2);

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  /** The type's fixed code in every encoding (the same numbers the ordinals had when codes were introduced). */
  public int code() {
    return code;
  }

  /** The type with this code; an unknown code is refused. */
  public static EntryType fromCode(int code) {
    for (EntryType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown entry type code " + code);
  }
}
