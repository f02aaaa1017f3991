package dev.quern.formats.parquet;

import dev.quern.api.io.InputSplit;
import java.util.List;

/**
 * Consecutive row groups of one Parquet file.
 *
 * @param path the file
 * @param firstRowGroup index of the first row group in the file
 * @param rowGroups number of row groups
 * @param firstRow index in the file of the split's first row (the key of its first record)
 * @param rows number of rows in the split
 * @param start file offset where the first row group starts
 * @param length compressed bytes of the row groups, from {@code start}
 */
public record ParquetSplit(String path, int firstRowGroup, int rowGroups, long firstRow,
    long rows, long start, long length, List<String> hosts) implements InputSplit {

  public ParquetSplit {
    hosts = List.copyOf(hosts);
  }

  @Override
  public String describe() {
    return path + " row groups " + firstRowGroup + ".." + (firstRowGroup + rowGroups - 1)
        + " (rows " + firstRow + ".." + (firstRow + rows - 1) + ")";
  }
}
