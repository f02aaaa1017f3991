package dev.quern.examples.terasort;

import dev.quern.api.io.InputSplit;

/** Rows {@code [firstRow, firstRow + rowCount)} for one TeraGen map task. */
public record RowRangeSplit(long firstRow, long rowCount) implements InputSplit {

  /** Bytes the rows will occupy, for scheduling and progress. */
  @Override
  public long length() {
    return rowCount * TeraRecords.RECORD_LENGTH;
  }

  @Override
  public String describe() {
    return "rows " + firstRow + "+" + rowCount;
  }
}
