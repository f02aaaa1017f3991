package dev.quern.examples.join;

/**
 * Where a line of the join's input comes from: which table, which file, at which byte offset;
 * the mapper needs the table, and errors about a bad line name the file and the offset.
 */
public record LineSource(Table table, String file, long offset) {
  /** For error messages: {@code orders file /data/o.csv at byte 120}. */
  public String describe() {
    return table.name().toLowerCase(java.util.Locale.ROOT) + " file " + file + " at byte "
        + offset;
  }
}
