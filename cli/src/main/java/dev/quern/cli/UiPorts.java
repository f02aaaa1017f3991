package dev.quern.cli;

/** Checks a port given on the command line. */
final class UiPorts {
  private UiPorts() {}

  static int check(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new UsageException(option + " must be 0 to 65535, got " + port);
    }
    return port;
  }
}
