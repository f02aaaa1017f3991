package dev.quern.master.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The browser app: the web-ui module's files, read from the class path on each GET. Our own few
 * lines rather than Javalin's static-file handler, which builds a second Jetty server, mounts the
 * jar as a file system and sets up a chain of content caches as the UI starts: some 0.1 s of CPU
 * of every command that serves the UI, for a dozen small files a browser asks for once.
 */
final class WebAssets {
  /** Where the web-ui module keeps its files in its jar. */
  static final String ROOT = "/dev/quern/webui";

  /** Path segments of plain names only, so a request cannot leave {@link #ROOT}. */
  private static final Pattern NAME =
      Pattern.compile("(/[A-Za-z0-9_-]+)*/[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.([a-z]+)");

  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "json", "application/json",
      "png", "image/png",
      "ico", "image/x-icon");

  private WebAssets() {}

  /** GET of {@code /} (the app's page) and of every other path not taken by an earlier route. */
  static void register(RoutesConfig routes) {
    routes.get("/", ctx -> serve(ctx, "/index.html"));
    // What a browser asks for on a page that names no icon (an attempt's log, opened from the job
    // page, is plain text): the app's icon, not a 404 in its console for every log it shows.
    routes.get("/favicon.ico", ctx -> serve(ctx, "/favicon.svg"));
    routes.get("/*", ctx -> serve(ctx, ctx.path()));
  }

  private static void serve(Context ctx, String path) {
    var m = NAME.matcher(path);
    String type = m.matches() ? TYPES.get(m.group(3).toLowerCase(Locale.ROOT)) : null;
    InputStream in = type == null ? null : WebAssets.class.getResourceAsStream(ROOT + path);
    if (in == null) {
      throw new NotFoundResponse();
    }
    byte[] body;
    try (in) {
      body = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + path, e);
    }
    // The files change with the build: the browser asks again rather than trusting its copy.
    ctx.header("Cache-Control", "no-cache").contentType(type).result(body);
  }
}
