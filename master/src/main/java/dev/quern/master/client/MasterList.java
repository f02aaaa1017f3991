package dev.quern.master.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The masters a client may ask, as {@code host:port} HTTP addresses, parsed from the address a
 * user gives: {@code quern://HOST:PORT,HOST:PORT,...} (what {@code quern cluster start} prints and
 * writes to {@code DIR/address}: the masters' HTTP ports) or {@code http://HOST:PORT} (one
 * server: the UI of a local-mode run, or one master).
 *
 * <pre>{@code
 * MasterList.parse("quern://127.0.0.1:7101,127.0.0.1:7102").masters()
 *     // ["127.0.0.1:7101", "127.0.0.1:7102"]
 * }</pre>
 */
public record MasterList(List<String> masters) {
  public static final String SCHEME = "quern://";

  public MasterList {
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("no master address");
    }
    masters = List.copyOf(masters);
  }

  /** Parses {@code text}; a bad address throws an IllegalArgumentException that says what is wrong. */
  public static MasterList parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty master address: expected quern://HOST:PORT,... "
          + "or http://HOST:PORT");
    }
    String t = text.trim();
    String lower = t.toLowerCase(Locale.ROOT);
    String rest;
    boolean many;
    if (lower.startsWith(SCHEME)) {
      rest = t.substring(SCHEME.length());
      many = true;
    } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
      // One server; the scheme a client uses follows its credentials (ClusterAccess).
      rest = t.substring(t.indexOf("://") + 3);
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
      many = false;
    } else {
      throw new IllegalArgumentException("master address '" + text + "' is neither "
          + "quern://HOST:PORT,HOST:PORT,... (a cluster's masters) nor http://HOST:PORT (one "
          + "server, e.g. a local run's UI)");
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String part : rest.split(",", -1)) {
      out.add(hostPort(text, part.trim()));
    }
    if (!many && out.size() != 1) {
      throw new IllegalArgumentException("master address '" + text + "': http:// names one "
          + "server; use quern://HOST:PORT,HOST:PORT for several masters");
    }
    return new MasterList(new ArrayList<>(out));
  }

  private static String hostPort(String text, String part) {
    if (part.contains("/")) {
      throw new IllegalArgumentException("master address '" + text + "': '" + part
          + "' has a path; give HOST:PORT only");
    }
    int colon = part.lastIndexOf(':');
    if (colon <= 0 || colon == part.length() - 1) {
      throw new IllegalArgumentException("master address '" + text + "': '" + part
          + "' is not HOST:PORT");
    }
    String host = part.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      throw new IllegalArgumentException("master address '" + text + "': write the IPv6 host of '"
          + part + "' in brackets, e.g. [::1]:PORT");
    }
    int port;
    try {
      port = Integer.parseInt(part.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("master address '" + text + "': the port of '" + part
          + "' must be a number from 1 to 65535");
    }
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return SCHEME + String.join(",", masters);
  }
}
