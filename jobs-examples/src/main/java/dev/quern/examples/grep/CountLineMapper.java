package dev.quern.examples.grep;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/**
 * Reads back the count job's {@code match<TAB>count} lines and emits {@code (count, match)}, so
 * that the sort job orders by count. The count follows the last tab, because a match may itself
 * contain tabs.
 */
public class CountLineMapper implements Mapper<Long, String, Long, String> {
  @Override
  public void map(Long offset, String line, Context<Long, String> context) {
    int tab = line.lastIndexOf('\t');
    if (tab < 0) {
      throw new IllegalArgumentException(
          "line at offset " + offset + " has no tab before its count: '" + line + "'");
    }
    long count;
    try {
      count = Long.parseLong(line.substring(tab + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "line at offset " + offset + " does not end with a count: '" + line + "'", e);
    }
    context.emit(count, line.substring(0, tab));
  }
}
