package dev.quern.master.http.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds Prometheus text exposition: a {@code # HELP} and {@code # TYPE} line per family, then its
 * samples. Names and label names are checked; label values and help text are escaped.
 */
public final class PrometheusWriter {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final StringBuilder out = new StringBuilder();

  /** Starts a family; type is {@code counter}, {@code gauge} or {@code histogram}. */
  public PrometheusWriter family(String name, String type, String help) {
    checkName(name);
    out.append("# HELP ").append(name).append(' ')
        .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  public PrometheusWriter sample(String name, Map<String, String> labels, double value) {
    checkName(name);
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, String> l : labels.entrySet()) {
        if (!LABEL.matcher(l.getKey()).matches()) {
          throw new IllegalArgumentException("bad label name '" + l.getKey() + "' on " + name);
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(l.getKey()).append("=\"").append(l.getValue().replace("\\", "\\\\")
            .replace("\"", "\\\"").replace("\n", "\\n")).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(format(value)).append('\n');
    return this;
  }

  public PrometheusWriter sample(String name, double value) {
    return sample(name, Map.of(), value);
  }

  /** A family with one unlabelled gauge sample. */
  public PrometheusWriter gauge(String name, String help, double value) {
    return family(name, "gauge", help).sample(name, value);
  }

  public PrometheusWriter comment(String text) {
    out.append("# ").append(text.replace("\n", " ")).append('\n');
    return this;
  }

  public String text() {
    return out.toString();
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name '" + name + "'");
    }
  }
}
