package dev.quern.master.http.login;

import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.HttpAuth;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI's login: when it is required ({@link #create}), which requests need it ({@link
 * #check}), and the pages that give and end a session ({@code GET/POST /login}, {@code POST
 * /logout}, {@code GET /api/v1/session}).
 *
 * <p>A session lets a browser do what the UI does, no more: read (GET and HEAD) anything but the
 * cluster's own endpoints under {@code /api/cluster} (jar and split stores, submission), kill a
 * job, and log out. Submitting a job and every other cluster call still need the client token.
 *
 * <p>A login is a user of the password file with their password, or an empty user with the
 * cluster's client token. A failed login gets 401 with the same words whatever was wrong, and an
 * address that keeps failing must wait ({@link AttemptLimiter}). Secrets (passwords, the token,
 * session ids) are never logged, put in a URL or in an answer.
 */
public final class UiLogin {
  private static final Logger log = LoggerFactory.getLogger(UiLogin.class);
  public static final String LOGIN = "/login";
  public static final String LOGOUT = "/logout";
  public static final String SESSION = "/api/v1/session";
  /** Who the client token logs in as. */
  public static final String TOKEN_USER = "client-token";
  static final String PAGE = "/dev/quern/webui/login.html";
  static final String WRONG = "Wrong user name, password or token.";
  /** What the login page needs to look like the app, open to everybody. */
  private static final Set<String> OPEN_GETS = Set.of(LOGIN, "/style.css", "/favicon.svg");
  /** The cluster's endpoints (submission, jar and split stores, status): the token's alone. */
  static final String CLUSTER = "/api/cluster";
  /** Where {@link #session} keeps its finding for the rest of the request. */
  private static final String SESSION_ATTRIBUTE = "quern.ui.session";
  private static final Pattern KILL = Pattern.compile("/api/v1/jobs/[^/]+/kill");

  private final boolean required;
  private final ClusterCredentials credentials;
  private final Path passwordFile;
  private final Sessions sessions;
  private final AttemptLimiter limiter;
  /** Checked for an unknown user, so that it takes as long as a known one; made at first need. */
  private PasswordHash dummy;

  private UiLogin(boolean required, ClusterCredentials credentials, Path passwordFile,
      Sessions sessions, AttemptLimiter limiter) {
    this.required = required;
    this.credentials = credentials;
    this.passwordFile = passwordFile;
    this.sessions = sessions;
    this.limiter = limiter;
  }

  private synchronized PasswordHash dummy() {
    if (dummy == null) {
      dummy = PasswordHash.create("no such user".toCharArray(), PasswordHash.DEFAULT_ITERATIONS,
          new SecureRandom());
    }
    return dummy;
  }

  /** No login at all: a local UI on loopback by default. */
  public static UiLogin off() {
    Clock c = Clock.systemUTC();
    LoginSettings d = LoginSettings.defaults();
    return new UiLogin(false, null, null, Sessions.ofRandomKey(c, d.idleTimeout(), d.maxAge()),
        new AttemptLimiter(c));
  }

  /**
   * The sessions of a server: under the cluster's UI session key ({@link
   * ClusterCredentials#uiSessionKey()}, the same on every master of the cluster) when it has
   * credentials, else under a random key of this process.
   */
  static Sessions sessions(LoginSettings settings, ClusterCredentials credentials, Clock clock) {
    return credentials == null
        ? Sessions.ofRandomKey(clock, settings.idleTimeout(), settings.maxAge())
        : new Sessions(clock, settings.idleTimeout(), settings.maxAge(),
            credentials.uiSessionKey());
  }

  /**
   * The login of a server: required when the cluster is secured ({@code credentials} not null),
   * when {@code settings} say {@code required}, or (auto) when the server binds a non-loopback
   * address. A required login that nobody could pass (no credentials, no password file) is an
   * error under {@code required}; under auto it can only be a master under {@code
   * unsafe-allow-private-bind}, which runs without authentication by definition, so it warns.
   *
   * @param loopbackOnly whether the server binds only loopback addresses
   * @throws IllegalArgumentException for a password file that is missing or malformed
   */
  public static UiLogin create(LoginSettings settings, ClusterCredentials credentials,
      boolean loopbackOnly, Clock clock) {
    boolean required = required(settings, credentials, loopbackOnly);
    return new UiLogin(required, credentials, settings.passwordFile(),
        sessions(settings, credentials, clock), new AttemptLimiter(clock));
  }

  /**
   * What {@link #create} checks of {@code settings}, without making the login (its session key
   * and the like): a server that makes its login later, at its first request, still fails at
   * start over a bad setting.
   *
   * @throws IllegalArgumentException as {@link #create}
   */
  public static void check(LoginSettings settings, boolean loopbackOnly) {
    required(settings, null, loopbackOnly);
  }

  private static boolean required(LoginSettings settings, ClusterCredentials credentials,
      boolean loopbackOnly) {
    boolean required = credentials != null || settings.mode() == LoginMode.REQUIRED
        || (settings.mode() == LoginMode.AUTO && !loopbackOnly);
    if (settings.passwordFile() != null) {
      PasswordFile.load(settings.passwordFile()); // fail at start, not at the first login
    }
    if (required && credentials == null && settings.passwordFile() == null) {
      if (settings.mode() == LoginMode.REQUIRED) {
        throw new IllegalArgumentException(LoginSettings.SECTION + ".login = required, but "
            + "nobody could log in: set " + LoginSettings.SECTION + ".password-file (make one "
            + "with 'quern ui passwd --file FILE USER') or secure the cluster");
      }
      log.warn("The web UI binds a non-loopback address with no login: no cluster credentials "
          + "and no {}.password-file", LoginSettings.SECTION);
      required = false;
    }
    return required;
  }

  /** Whether {@code host} (an address or {@code localhost}, as a server binds it) is loopback. */
  public static boolean loopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return false; // a name other than localhost: not resolved here, so not trusted as loopback
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  public boolean required() {
    return required;
  }

  /** The server's sessions. */
  public Sessions sessions() {
    return sessions;
  }

  /**
   * Who sent the request: a session's user, {@value #TOKEN_USER} for the client token, or empty.
   * Does not check what the session may do.
   */
  public Optional<String> user(Context ctx) {
    if (credentials != null && HttpAuth.allows(credentials, ctx.header(HttpAuth.HEADER))) {
      return Optional.of(TOKEN_USER);
    }
    return session(ctx).map(Sessions.Session::user);
  }

  /**
   * The live session the request carries, checked once per request; when it is due, the answer
   * gives the browser a renewed cookie (its last-seen time now), so an active user stays in.
   */
  public Optional<Sessions.Session> session(Context ctx) {
    Object seen = ctx.attribute(SESSION_ATTRIBUTE);
    if (seen instanceof Optional<?> o) {
      @SuppressWarnings("unchecked")
      Optional<Sessions.Session> s = (Optional<Sessions.Session>) o;
      return s;
    }
    Optional<Sessions.Session> s = sessions.use(SessionCookie.read(ctx, sessions.cookieName()));
    ctx.attribute(SESSION_ATTRIBUTE, s);
    s.flatMap(sessions::renewed).ifPresent(v -> SessionCookie.set(ctx, sessions.cookieName(), v));
    return s;
  }

  /** Whether the request needs no login at all: the login page, its style, and logout. */
  public static boolean open(Context ctx) {
    HandlerType m = ctx.method();
    String path = ctx.path();
    return (m == HandlerType.GET || m == HandlerType.HEAD) && OPEN_GETS.contains(path)
        || m == HandlerType.POST && (path.equals(LOGIN) || path.equals(LOGOUT));
  }

  /** Whether the request carries a live session that may do what it asks (class comment). */
  public boolean sessionAllows(Context ctx) {
    HandlerType m = ctx.method();
    String path = ctx.path();
    boolean allowed = (m == HandlerType.GET || m == HandlerType.HEAD)
        && !path.startsWith(CLUSTER) || m == HandlerType.POST && KILL.matcher(path).matches();
    return allowed && session(ctx).isPresent();
  }

  /**
   * The UI server's check, after the Host and origin checks: when a login is required, a request
   * without the client token or a session that allows it is refused ({@link #refuse}).
   */
  public void check(Context ctx) {
    // The cluster's own endpoints are TokenGuard's (workers and clients send the token), not the
    // UI's: a session never opens them, and the UI's login never closes them.
    if (!required || open(ctx) || ctx.path().startsWith(CLUSTER)) {
      return;
    }
    if (credentials != null && HttpAuth.allows(credentials, ctx.header(HttpAuth.HEADER))) {
      return;
    }
    if (!sessionAllows(ctx)) {
      refuse(ctx, "{\"error\":\"authentication required: log in at " + LOGIN + "\"}");
    }
  }

  /**
   * Refuses the request and skips every other handler: a browser asking for a page is sent to
   * the login page (303), anything else gets 401 with {@code json}.
   */
  public static void refuse(Context ctx, String json) {
    if (wantsPage(ctx)) {
      ctx.status(303).header("Location", LOGIN).header("Cache-Control", "no-store");
    } else {
      ctx.status(401).header("WWW-Authenticate", "Bearer realm=\"quern\"")
          .contentType("application/json").result(json);
    }
    ctx.skipRemainingHandlers();
  }

  private static boolean wantsPage(Context ctx) {
    String accept = ctx.header("Accept");
    String path = ctx.path();
    return ctx.method() == HandlerType.GET && accept != null && accept.contains("text/html")
        && !path.startsWith("/api/") && !path.equals("/metrics");
  }

  /** {@code GET/POST /login}, {@code POST /logout}, {@code GET /api/v1/session}. */
  public void register(RoutesConfig routes) {
    routes.get(LOGIN, ctx -> page(ctx, 200, null));
    routes.post(LOGIN, this::login);
    routes.post(LOGOUT, this::logout);
    routes.get(SESSION, ctx -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("login", required);
      body.put("user", user(ctx).orElse(null));
      ctx.contentType("application/json").header("Cache-Control", "no-store")
          .result(json(body));
    });
  }

  private void login(Context ctx) {
    String address = ctx.ip();
    Duration wait = limiter.wait(address);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      ctx.header("Retry-After", Long.toString(seconds));
      page(ctx, 429, "Too many failed logins from your address: try again in " + seconds
          + " s.");
      return;
    }
    String user = ctx.formParam("user");
    String password = ctx.formParam("password");
    String who = authenticate(user == null ? "" : user.strip(),
        password == null ? "" : password);
    if (who == null) {
      limiter.failed(address);
      log.info("A failed login to the web UI from {}", address);
      page(ctx, 401, WRONG);
      return;
    }
    limiter.succeeded(address);
    SessionCookie.set(ctx, sessions.cookieName(), sessions.create(who));
    log.info("{} logged in to the web UI from {}", who, address);
    ctx.status(303).header("Location", "/").header("Cache-Control", "no-store");
  }

  /** The user that the credentials log in as, or null. */
  private String authenticate(String user, String password) {
    if (user.isEmpty()) {
      return credentials != null && !password.isEmpty()
          && credentials.isClientToken(password.strip()) ? TOKEN_USER : null;
    }
    if (passwordFile == null) {
      dummy().matches(password.toCharArray());
      return null;
    }
    PasswordFile users;
    try {
      users = PasswordFile.load(passwordFile);
    } catch (IllegalArgumentException e) {
      log.error("Web UI logins with a user fail: {}", e.getMessage());
      return null;
    }
    Optional<PasswordHash> hash = users.user(user);
    if (hash.isEmpty()) {
      // As long as a known user's check: the file's iterations, so timing tells no names.
      int iterations = users.users().values().stream().mapToInt(PasswordHash::iterations).max()
          .orElse(PasswordHash.DEFAULT_ITERATIONS);
      PasswordHash.derive(password.toCharArray(), new byte[PasswordHash.SALT_BYTES], iterations,
          PasswordHash.HASH_BYTES);
      return null;
    }
    return hash.get().matches(password.toCharArray()) ? user : null;
  }

  private void logout(Context ctx) {
    if (sessions.end(SessionCookie.read(ctx, sessions.cookieName()))) {
      log.info("A web UI session ended by logout");
    }
    SessionCookie.clear(ctx, sessions.cookieName());
    ctx.status(303).header("Location", LOGIN).header("Cache-Control", "no-store");
  }

  /** The login page, with {@code message} (escaped) above the form when there is one. */
  static void page(Context ctx, int status, String message) {
    String html;
    try (InputStream in = UiLogin.class.getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException("the web-ui module's " + PAGE + " is not on the class "
            + "path");
      }
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PAGE, e);
    }
    String note = message == null ? "" : "<p id=\"login-error\" class=\"login-error\" "
        + "role=\"alert\">" + escape(message) + "</p>";
    ctx.status(status).header("Cache-Control", "no-store")
        .contentType("text/html; charset=utf-8").result(html.replace("<!--MESSAGE-->", note));
  }

  private static String json(Map<String, Object> body) {
    try {
      return JsonHolder.JSON.writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The mapper, made at the first answer that needs it: a UI that is never asked (a local job
   * nobody watches, {@link #check}) does not initialise Jackson for it.
   */
  private static final class JsonHolder {
    static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
