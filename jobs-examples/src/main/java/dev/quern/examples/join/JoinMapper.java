package dev.quern.examples.join;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Parses a CSV line of either table into the join's key and value: {@code c7,Ada,UK} (a customer)
 * becomes {@code ((c7, CUSTOMER), customer(Ada, UK))}, {@code o12,c7,19.90} (an order) becomes
 * {@code ((c7, ORDER), order(o12, 19.90))}.
 *
 * <p>The CSV is plain: three comma-separated fields, trimmed, no quoting. Blank lines are
 * skipped, and so is a first line that is the table's header ({@link Table#header()}). Any other
 * line that does not parse fails the task, naming the file and the byte offset.
 */
public class JoinMapper implements Mapper<LineSource, String, JoinKey, JoinRow> {
  @Override
  public void map(LineSource source, String line, Context<JoinKey, JoinRow> context) {
    if (line.isBlank() || (source.offset() == 0 && isHeader(line, source.table()))) {
      return;
    }
    String[] f = line.split(",", -1);
    if (f.length != 3) {
      throw bad(source, line, "expected 3 comma-separated fields (" + source.table().header()
          + "), found " + f.length);
    }
    for (int i = 0; i < f.length; i++) {
      f[i] = f[i].strip();
    }
    if (source.table() == Table.CUSTOMERS) {
      context.emit(new JoinKey(id(f[0], source, line), JoinKey.CUSTOMER),
          JoinRow.customer(f[1], f[2]));
    } else {
      try {
        new BigDecimal(f[2]);
      } catch (NumberFormatException e) {
        throw bad(source, line, "the amount '" + f[2] + "' is not a decimal number");
      }
      context.emit(new JoinKey(id(f[1], source, line), JoinKey.ORDER),
          JoinRow.order(f[0], f[2]));
    }
  }

  private static boolean isHeader(String line, Table table) {
    return line.replace(" ", "").strip().toLowerCase(Locale.ROOT).equals(table.header());
  }

  private static String id(String id, LineSource source, String line) {
    if (id.isEmpty() || id.indexOf('\0') >= 0) {
      throw bad(source, line, "the customer id is empty or holds a zero character");
    }
    return id;
  }

  private static IllegalArgumentException bad(LineSource source, String line, String why) {
    return new IllegalArgumentException(source.describe() + ": " + why + ": '" + line + "'");
  }
}
