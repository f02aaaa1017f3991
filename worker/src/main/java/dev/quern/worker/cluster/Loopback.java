package dev.quern.worker.cluster;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which addresses a cluster process may bind or dial. A process with the cluster's credentials
 * ({@code --security DIR}: Artery over mutual TLS, HTTPS with the client token and per-job
 * shuffle MACs) takes any address. A process without them binds and dials loopback only: nothing
 * would authenticate its peers, and a master would accept work from anyone who can reach it. Every
 * address a process binds or dials is checked.
 *
 * <p>One narrow exception, for isolated test networks only (network namespaces joined by a
 * bridge, where each "host" has its own loopback): a process started with
 * {@code unsafe-allow-private-bind = true} also takes RFC 1918 IPv4 addresses (10/8,
 * 172.16/12, 192.168/16), never a public one nor a wildcard, and says so loudly in its log.
 */
public final class Loopback {
  /** Why a non-loopback address is refused, the start of every such error. */
  public static final String REFUSAL = "a process without cluster credentials binds and dials "
      + "loopback only";
  /** How to get past the refusal, the end of every such error. */
  public static final String HOW_TO_SECURE = "to use another address, create the cluster's "
      + "credentials with 'quern cluster init --dir DIR' and start every master and worker with "
      + "'--security DIR' (or use 'quern cluster start --secure'); else bind 127.0.0.1";
  /** The key (in {@code quern.master} and {@code quern.worker}) and flag of the exception. */
  public static final String ALLOW_PRIVATE_KEY = "unsafe-allow-private-bind";
  /** What a process that took the exception logs at WARN when it starts. */
  public static final String PRIVATE_WARNING = "UNSAFE: " + ALLOW_PRIVATE_KEY + " is on: this "
      + "process binds and dials private (RFC 1918) addresses with NO authentication; anyone on "
      + "that network can submit jars that run here. For isolated test networks only.";

  private Loopback() {}

  /** {@code host:port} split and checked; {@code what} names the setting in the error. */
  public static HostPort require(String what, String hostPort) {
    return require(what, hostPort, false);
  }

  /** As {@link #require(String, String)}; {@code allowPrivate} also admits RFC 1918 addresses. */
  public static HostPort require(String what, String hostPort, boolean allowPrivate) {
    return require(what, hostPort, allowPrivate, false);
  }

  /**
   * As {@link #require(String, String, boolean)}; {@code secured} (the process has the cluster's
   * credentials) admits any address.
   */
  public static HostPort require(String what, String hostPort, boolean allowPrivate,
      boolean secured) {
    HostPort hp = HostPort.parse(what, hostPort);
    requireHost(what, hp.host(), allowPrivate, secured);
    return hp;
  }

  /** Throws {@link IllegalArgumentException} unless {@code host} is a loopback address. */
  public static void requireHost(String what, String host) {
    requireHost(what, host, false);
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code host} is a loopback address, or, with
   * {@code allowPrivate}, an RFC 1918 IPv4 address.
   */
  public static void requireHost(String what, String host, boolean allowPrivate) {
    requireHost(what, host, allowPrivate, false);
  }

  /**
   * As {@link #requireHost(String, String, boolean)}; {@code secured} (the process has the
   * cluster's credentials) admits any address, which must still resolve.
   */
  public static void requireHost(String what, String host, boolean allowPrivate,
      boolean secured) {
    boolean ok;
    try {
      // A literal is not looked up; a name is resolved to every address it has, all must pass.
      InetAddress[] all = InetAddress.getAllByName(host);
      ok = all.length > 0;
      for (InetAddress a : all) {
        ok &= secured || a.isLoopbackAddress() || (allowPrivate && isPrivate(a));
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": unknown host '" + host + "'");
    }
    if (!ok) {
      throw new IllegalArgumentException(REFUSAL + " (" + what + " is " + host + ")"
          + (allowPrivate ? "; " + ALLOW_PRIVATE_KEY + " admits RFC 1918 addresses only" : "")
          + "; " + HOW_TO_SECURE);
    }
  }

  /** An RFC 1918 IPv4 address (10/8, 172.16/12, 192.168/16): what the exception admits. */
  public static boolean isPrivate(InetAddress a) {
    return a instanceof Inet4Address && a.isSiteLocalAddress();
  }

  /** A {@code host:port} pair. */
  public record HostPort(String host, int port) {
    public static HostPort parse(String what, String text) {
      String s = text == null ? "" : text.trim();
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException(what + ": expected HOST:PORT, got '" + s + "'");
      }
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(what + ": bad port in '" + s + "'");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + ": port out of range in '" + s + "'");
      }
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, port);
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
