package dev.quern.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) for tests: the Java
 * client has a writer but no parser. Every line must be a {@code # HELP}, a {@code # TYPE} or a
 * sample of the family last typed; anything else is an {@link IllegalArgumentException} naming
 * the line.
 *
 * <pre>{@code
 * PromText m = PromText.parse(body);
 * assertEquals("counter", m.type("quern_shuffle_served_bytes_total"));
 * assertEquals(1234, m.value("quern_shuffle_served_bytes_total"));
 * assertEquals(1, m.value("quern_jobs", Map.of("state", "SUCCEEDED")));
 * }</pre>
 */
public final class PromText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern META = Pattern.compile("# (HELP|TYPE) (" + NAME + ") ?(.*)");
  private static final Pattern SAMPLE =
      Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final List<String> TYPES =
      List.of("counter", "gauge", "histogram", "summary", "untyped", "info", "stateset");

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final Map<String, String> types;
  private final List<Sample> samples;

  private PromText(Map<String, String> types, List<Sample> samples) {
    this.types = types;
    this.samples = samples;
  }

  public static PromText parse(String text) {
    Map<String, String> types = new HashMap<>();
    List<Sample> samples = new ArrayList<>();
    String family = null;
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      Matcher meta = META.matcher(line);
      if (meta.matches()) {
        if (meta.group(1).equals("TYPE")) {
          if (!TYPES.contains(meta.group(3))) {
            throw bad(n, line, "unknown type");
          }
          if (types.put(meta.group(2), meta.group(3)) != null) {
            throw bad(n, line, "a second TYPE for the family");
          }
          family = meta.group(2);
        }
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (!s.matches()) {
        throw bad(n, line, "not a sample");
      }
      String name = s.group(1);
      if (family == null || !(name.equals(family) || name.startsWith(family + "_"))) {
        throw bad(n, line, "a sample outside its family (last TYPE: " + family + ")");
      }
      samples.add(new Sample(name, labels(n, line, s.group(2)), number(n, line, s.group(3))));
    }
    return new PromText(types, samples);
  }

  private static Map<String, String> labels(int n, String line, String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw bad(n, line, "bad labels");
      }
      String value = m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
      if (labels.put(m.group(1), value) != null) {
        throw bad(n, line, "label " + m.group(1) + " twice");
      }
      at = m.end();
    }
    return labels;
  }

  private static double number(int n, String line, String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw bad(n, line, "bad value");
        }
      }
    };
  }

  private static IllegalArgumentException bad(int n, String line, String why) {
    return new IllegalArgumentException("line " + n + " '" + line + "': " + why);
  }

  /** The family's type ({@code counter}, {@code gauge}, ...), or null when it has none. */
  public String type(String family) {
    return types.get(family);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The sample named {@code name} with exactly these labels. */
  public Optional<Double> find(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
        .map(Sample::value).findFirst();
  }

  /** As {@link #find}; fails naming what is missing. */
  public double value(String name, Map<String, String> labels) {
    return find(name, labels).orElseThrow(() -> new AssertionError(
        "no sample " + name + labels + " among " + samples.size() + " samples"));
  }

  public double value(String name) {
    return value(name, Map.of());
  }
}
