package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Row numbers to generate, not files: {@value #ROWS} rows cut into {@value #MAPS} ranges, as
 * Hadoop's TeraGen cuts them. The input paths are ignored. Key: the row number; value: null.
 */
public class RowRangeInputFormat implements InputFormat<Long, Void> {
  public static final String ROWS = "terasort.gen.rows";
  public static final String MAPS = "terasort.gen.maps";

  @Override
  public List<InputSplit> splits(List<String> inputPaths, Configuration conf) {
    long rows = conf.getLong(ROWS, -1);
    if (rows < 0) {
      throw new IllegalArgumentException("configuration entry '" + ROWS
          + "' must give the number of rows to generate");
    }
    int maps = conf.getInt(MAPS, 2);
    if (maps <= 0) {
      throw new IllegalArgumentException(MAPS + " must be positive, got " + maps);
    }
    List<InputSplit> splits = new ArrayList<>();
    long current = 0;
    for (int i = 0; i < maps; i++) {
      long goal = (long) Math.ceil(rows * (double) (i + 1) / maps);
      if (i == maps - 1) {
        goal = rows; // the double division must not lose the last rows of a huge count
      }
      splits.add(new RowRangeSplit(current, goal - current));
      current = goal;
    }
    return splits;
  }

  @Override
  public RecordReader<Long, Void> open(InputSplit split, Configuration conf) {
    if (!(split instanceof RowRangeSplit range)) {
      throw new IllegalArgumentException("RowRangeInputFormat reads RowRangeSplits, got " + split);
    }
    return new RecordReader<>() {
      private long done;

      @Override
      public boolean next() {
        if (done >= range.rowCount()) {
          return false;
        }
        done++;
        return true;
      }

      @Override
      public Long key() {
        return range.firstRow() + done - 1;
      }

      @Override
      public Void value() {
        return null;
      }

      @Override
      public float progress() {
        return range.rowCount() == 0 ? 1f : done / (float) range.rowCount();
      }

      @Override
      public long bytesRead() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }
}
