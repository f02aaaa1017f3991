package dev.quern.master.http.login;

import java.util.Arrays;
import java.util.Locale;

/** When the web UI asks for a login ({@code quern.ui.login}). */
public enum LoginMode {
  /** When the cluster is secured or the UI binds a non-loopback address. */
  AUTO,
  /** Always, loopback included. */
  REQUIRED,
  /** Never (a secured master still wants its client token or a session). */
  OFF;

  /** {@code auto}, {@code required} or {@code off}, in any case. */
  public static LoginMode parse(String key, String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not one of "
          + Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
  }
}
