package dev.quern.api;

/**
 * The counters the engine keeps for every job, in group {@value #GROUP}.
 *
 * <pre>{@code
 * long combined = status.counters().get(TaskCounter.COMBINE_OUTPUT_RECORDS);
 * }</pre>
 */
public enum TaskCounter {
  MAP_INPUT_RECORDS,
  MAP_INPUT_BYTES,
  /**
   * Input records (text lines) whose bytes are not valid in the input's charset ({@code
   * quern.input.charset}, default UTF-8); they are read with U+FFFD in place of the bad bytes.
   */
  MALFORMED_INPUT_RECORDS,
  MAP_OUTPUT_RECORDS,
  /** Serialized size of map output records, before combining and compression. */
  MAP_OUTPUT_BYTES,
  COMBINE_INPUT_RECORDS,
  COMBINE_OUTPUT_RECORDS,
  /** Records written to spill files (counted again for every merge pass that rewrites them). */
  SPILLED_RECORDS,
  /** Bytes a reduce task read from map outputs, as stored (compressed). */
  SHUFFLE_BYTES,
  REDUCE_INPUT_GROUPS,
  REDUCE_INPUT_RECORDS,
  OUTPUT_RECORDS,
  OUTPUT_BYTES,
  LAUNCHED_MAP_ATTEMPTS,
  LAUNCHED_REDUCE_ATTEMPTS,
  FAILED_MAP_ATTEMPTS,
  FAILED_REDUCE_ATTEMPTS;

  public static final String GROUP = "quern";
}
