package dev.quern.master.http.login;

import io.javalin.http.Context;

/**
 * The session cookie: {@code HttpOnly} (no script reads it), {@code SameSite=Strict} (no other
 * site's page sends it), {@code Path=/}, and {@code Secure} when the request itself came over
 * TLS (decided per request, not from configuration, so a server behind HTTPS sets it and a
 * plain loopback one does not, which a browser would refuse to send back). No {@code Max-Age}:
 * the server ends sessions ({@link Sessions}); the browser drops the cookie when it closes.
 * The name carries the server's port, since cookies are not kept apart by port and two UIs on
 * one host would otherwise log each other out.
 */
public final class SessionCookie {
  static final String PREFIX = "quern_session_";

  private SessionCookie() {}

  /** The cookie's name on the server that {@code ctx} arrived at. */
  public static String name(Context ctx) {
    return PREFIX + ctx.req().getLocalPort();
  }

  /** The session id the request carries, or null. */
  public static String read(Context ctx) {
    return ctx.cookie(name(ctx));
  }

  /** The {@code Set-Cookie} value that gives the browser {@code id}. */
  public static String header(Context ctx, String id) {
    return name(ctx) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict"
        + (ctx.req().isSecure() ? "; Secure" : "");
  }

  public static void set(Context ctx, String id) {
    ctx.res().addHeader("Set-Cookie", header(ctx, id));
  }

  /** Tells the browser to forget the cookie (logout). */
  public static void clear(Context ctx) {
    ctx.res().addHeader("Set-Cookie", name(ctx) + "=; Path=/; Max-Age=0; HttpOnly; "
        + "SameSite=Strict" + (ctx.req().isSecure() ? "; Secure" : ""));
  }
}
