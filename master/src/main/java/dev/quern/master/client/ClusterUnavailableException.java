package dev.quern.master.client;

import java.util.List;

/**
 * No master gave an answer within the client's retry bound. The message names every master tried
 * (and each leader a master redirected to) with why it did not answer, e.g. {@code
 * 127.0.0.1:7101: connection refused; 127.0.0.1:7102: 503 master m2 knows no leader yet}.
 */
public final class ClusterUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> reasons;

  ClusterUnavailableException(String message, List<String> reasons) {
    super(message);
    this.reasons = List.copyOf(reasons);
  }

  /** One {@code master: why} line per master tried, in the order first tried. */
  public List<String> reasons() {
    return reasons;
  }
}
