package dev.quern.worker.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Cluster processes bind loopback only: nothing here authenticates its peers yet, and a master
 * accepts work from anyone who can reach it. Every address a process binds or dials is checked.
 */
public final class Loopback {
  /** Why a non-loopback address is refused, the start of every such error. */
  public static final String REFUSAL = "cluster security is not built yet: bind 127.0.0.1";

  private Loopback() {}

  /** {@code host:port} split and checked; {@code what} names the setting in the error. */
  public static HostPort require(String what, String hostPort) {
    HostPort hp = HostPort.parse(what, hostPort);
    requireHost(what, hp.host());
    return hp;
  }

  /** Throws {@link IllegalArgumentException} unless {@code host} is a loopback address. */
  public static void requireHost(String what, String host) {
    boolean loopback;
    try {
      // A literal is not looked up; a name is resolved to every address it has, all must be loopback.
      InetAddress[] all = InetAddress.getAllByName(host);
      loopback = all.length > 0;
      for (InetAddress a : all) {
        loopback &= a.isLoopbackAddress();
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": unknown host '" + host + "'");
    }
    if (!loopback) {
      throw new IllegalArgumentException(REFUSAL + " (" + what + " is " + host + ")");
    }
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
