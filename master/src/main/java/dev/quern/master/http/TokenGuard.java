package dev.quern.master.http;

import dev.quern.master.http.login.UiLogin;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.HttpAuth;
import io.javalin.http.Context;

/**
 * A secured master's first check on every request: it carries the client token
 * ({@code Authorization: Bearer TOKEN}, {@link HttpAuth}), or it gets 401 with a JSON error and
 * goes no further, so nothing it asked for is read or changed. The answer never echoes what was
 * presented. With the web UI's {@link UiLogin}, a live session cookie does instead of the token
 * for what the UI does (read, kill a job, log out; {@link UiLogin#sessionAllows}), the login page
 * is open, and a browser asking for a page is sent to the login page.
 *
 * <pre>{@code
 * config.routes.before(ctx -> TokenGuard.check(ctx, credentials));
 * }</pre>
 */
public final class TokenGuard {
  static final String REFUSED = "{\"error\":\"authentication required: send the cluster's client "
      + "token as 'Authorization: Bearer TOKEN' (the file client-token of the credentials "
      + "directory; Quern's commands read it from the directory QUERN_SECURITY names)\"}";

  private TokenGuard() {}

  /** Lets the request through, or answers 401 and skips every other handler. */
  public static void check(Context ctx, ClusterCredentials credentials) {
    if (!HttpAuth.allows(credentials, ctx.header(HttpAuth.HEADER))) {
      ctx.status(401).header("WWW-Authenticate", "Bearer realm=\"quern\"")
          .contentType("application/json").result(REFUSED);
      ctx.skipRemainingHandlers();
    }
  }

  /** As {@link #check(Context, ClusterCredentials)}, also letting {@code login}'s sessions in. */
  public static void check(Context ctx, ClusterCredentials credentials, UiLogin login) {
    if (HttpAuth.allows(credentials, ctx.header(HttpAuth.HEADER))
        || UiLogin.open(ctx) || login.sessionAllows(ctx)) {
      return;
    }
    UiLogin.refuse(ctx, REFUSED);
  }
}
