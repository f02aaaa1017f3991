package dev.quern.master.http;

import io.javalin.http.Context;
import java.util.List;

/**
 * The DNS-rebinding check of the masters' HTTP endpoints: a request must name, in its
 * {@code Host}, a loopback name or the literal address the connection arrived at. A page that
 * rebinds a name of its own to our address still sends its own name, so it is refused; a client
 * that dials the address itself names that address. By default the servers bind loopback only,
 * so the second case matters only for a master bound to a private address under
 * {@code unsafe-allow-private-bind} (isolated test networks).
 */
public final class HostHeader {
  private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost", "[::1]");

  private HostHeader() {}

  /** True if the request's {@code Host} is allowed (see the class comment). */
  public static boolean allowed(Context ctx) {
    String host = ctx.host() == null ? "" : ctx.host().replaceFirst(":\\d+$", "");
    if (LOOPBACK.contains(host)) {
      return true;
    }
    String local = ctx.req().getLocalAddr();
    return local != null && !host.isEmpty()
        && (host.equals(local) || host.equals("[" + local + "]"));
  }
}
