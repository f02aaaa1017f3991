package dev.quern.master.http.login;

import io.javalin.http.Context;

/**
 * The session cookie: {@code HttpOnly} (no script reads it), {@code SameSite=Strict} (no other
 * site's page sends it), {@code Path=/}, and {@code Secure} when the request itself came over
 * TLS (decided per request, not from configuration, so a server behind HTTPS sets it and a
 * plain loopback one does not, which a browser would refuse to send back). No {@code Max-Age}:
 * the value says when the session ends ({@link Sessions}); the browser drops the cookie when it
 * closes. The name comes from the session key ({@link Sessions#cookieName()}): the masters of
 * one cluster share it, while cookies are not kept apart by port, so two UIs of different keys on
 * one host would otherwise log each other out.
 */
public final class SessionCookie {
  static final String PREFIX = "quern_session_";

  private SessionCookie() {}

  /** The session cookie's value the request carries, or null. */
  public static String read(Context ctx, String name) {
    return ctx.cookie(name);
  }

  /** The {@code Set-Cookie} value that gives the browser {@code value}. */
  public static String header(Context ctx, String name, String value) {
    return name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
        + (ctx.req().isSecure() ? "; Secure" : "");
  }

  public static void set(Context ctx, String name, String value) {
    ctx.res().addHeader("Set-Cookie", header(ctx, name, value));
  }

  /** Tells the browser to forget the cookie (logout). */
  public static void clear(Context ctx, String name) {
    ctx.res().addHeader("Set-Cookie", name + "=; Path=/; Max-Age=0; HttpOnly; "
        + "SameSite=Strict" + (ctx.req().isSecure() ? "; Secure" : ""));
  }
}
