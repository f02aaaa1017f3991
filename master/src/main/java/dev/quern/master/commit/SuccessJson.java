package dev.quern.master.commit;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a {@link SuccessFile} as the bytes Jackson's {@code ObjectMapper} with {@code
 * INDENT_OUTPUT} writes for it (its default pretty printer: two spaces per level, {@code " : "}
 * between a name and its value, {@code "{ }"} for an empty object, the platform's line
 * separator, no line break at the end; strings in UTF-8 with Jackson's escapes). Why not Jackson
 * itself: making its first mapper loads and initialises some 500 classes, about 5% of the CPU of
 * a small local job, and a local run without the web UI needs Jackson for nothing else. {@code
 * SuccessJsonTest} compares the bytes with Jackson's for seeded random files.
 */
final class SuccessJson {
  private static final String NL = System.lineSeparator();
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SuccessJson() {}

  /**
   * The file's bytes, or null when it holds what this writer leaves to Jackson (a null counter
   * name, which Jackson refuses with its own error).
   */
  static byte[] bytes(SuccessFile s) {
    StringBuilder b = new StringBuilder(512);
    b.append('{').append(NL);
    field(b, 1, "jobId").append(quoted(s.jobId())).append(',').append(NL);
    field(b, 1, "name").append(quoted(s.name())).append(',').append(NL);
    field(b, 1, "user").append(quoted(s.user())).append(',').append(NL);
    field(b, 1, "submitTime").append(s.submitTime()).append(',').append(NL);
    field(b, 1, "startTime").append(s.startTime()).append(',').append(NL);
    field(b, 1, "endTime").append(s.endTime()).append(',').append(NL);
    field(b, 1, "counters");
    Map<String, Map<String, Long>> counters = s.counters();
    if (counters == null) {
      b.append("null");
    } else if (counters.isEmpty()) {
      b.append("{ }");
    } else {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Map<String, Long>> group : counters.entrySet()) {
        if (group.getKey() == null) {
          return null;
        }
        b.append(first ? "" : ",").append(NL);
        first = false;
        field(b, 2, group.getKey());
        Map<String, Long> values = group.getValue();
        if (values == null) {
          b.append("null");
        } else if (values.isEmpty()) {
          b.append("{ }");
        } else {
          b.append('{');
          boolean firstValue = true;
          for (Map.Entry<String, Long> c : values.entrySet()) {
            if (c.getKey() == null) {
              return null;
            }
            b.append(firstValue ? "" : ",").append(NL);
            firstValue = false;
            field(b, 3, c.getKey()).append(c.getValue() == null ? "null" : c.getValue().toString());
          }
          b.append(NL);
          indent(b, 2).append('}');
        }
      }
      b.append(NL);
      indent(b, 1).append('}');
    }
    b.append(NL).append('}');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static StringBuilder field(StringBuilder b, int level, String name) {
    return indent(b, level).append(quoted(name)).append(" : ");
  }

  private static StringBuilder indent(StringBuilder b, int level) {
    for (int i = 0; i < level; i++) {
      b.append("  ");
    }
    return b;
  }

  /**
   * A JSON string as Jackson's UTF-8 generator writes it: {@code "} and {@code \} escaped with a
   * backslash; the control characters below 0x20 as {@code \b \t \n \f \r} or else a backslash,
   * {@code u} and four upper-case hex digits; every UTF-16 surrogate (paired or not) the same way,
   * as Jackson does unless told to combine pairs; everything else as it is (UTF-8 when the whole
   * is encoded).
   */
  static String quoted(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\f' -> b.append("\\f");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15])
                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
