package dev.quern.worker.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A registry in the Prometheus text format, as every Quern process serves it at {@code GET
 * /metrics} (the master's HTTP server and a worker's shuffle server): the library's own writer,
 * so the escaping, number format and content type are the library's.
 *
 * <pre>{@code
 * byte[] body = MetricsText.scrape(registry);
 * response.setContentType(MetricsText.CONTENT_TYPE);
 * }</pre>
 */
public final class MetricsText {
  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();
  /** {@code text/plain; version=0.0.4; charset=utf-8}. */
  public static final String CONTENT_TYPE = WRITER.getContentType();

  private MetricsText() {}

  /** Every collector's samples, written out. */
  public static byte[] scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }
}
