package dev.quern.examples.pagerank;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.LineInputFormat;
import java.io.IOException;
import java.util.Map;

/**
 * Reads an edge list: each line {@code src dst} (two tokens separated by spaces or tabs) becomes
 * the record {@code (src, dst)}. Blank lines and lines starting with {@code #} (as in the SNAP
 * graph files) are skipped; any other line fails the task naming the file and byte offset.
 * Splits and line rules are those of {@link dev.quern.api.io.TextInputFormat}.
 */
public class EdgeInputFormat extends LineInputFormat<String, String> {

  @Override
  protected LineParser<String, String> parser(FileSplit split, Configuration conf) {
    return (offset, text) -> {
      String line = text.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        return null;
      }
      String[] t = line.split("\\s+");
      if (t.length != 2 || !Nodes.validId(t[0]) || !Nodes.validId(t[1])) {
        throw new IOException("edges file " + split.path() + " at byte " + offset
            + ": expected 'src dst' (two node ids), got '" + text + "'");
      }
      return Map.entry(t[0], t[1]);
    };
  }
}
