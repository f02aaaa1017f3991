package dev.quern.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several "hosts" on this machine for a test: one network namespace per host, each joined by a
 * veth pair to a bridge in the root namespace, on a private /24 chosen here
 * ({@code 10.213.N.0/24}, N not routed yet). Host {@code i} is {@code 10.213.N.i}; the test
 * itself (and whatever it runs in the root namespace) is the bridge's {@code 10.213.N.254}.
 * {@link #cut} takes a host's link down (a partition, with no delay or loss to tune), {@link
 * #heal} brings it back. Needs root, as here and in CI; a machine where the namespaces cannot be
 * made fails the test with the command's error (it does not skip).
 *
 * <p>Namespaces and links outlive the JVM, so every name carries this run's suffix (the JVM's pid
 * in base 36: {@code qpbr<pid>}, {@code qph<i><pid>}, {@code qpn<i><pid>}, at most 15
 * characters), {@link #close} removes them (call it after the processes inside are killed), and
 * {@link #create} first removes those that a dead JVM left behind.
 */
final class Netns implements AutoCloseable {
  private static final String PREFIX = "qp";
  /** The bound on TCP's retransmission timeout, set per namespace where the kernel has it. */
  private static final Path RTO_MAX = Path.of("/proc/sys/net/ipv4/tcp_rto_max_ms");
  /** A name of ours: kind (br, h<i>, n<i>) and the pid in base 36 of the JVM that made it. */
  private static final Pattern OURS = Pattern.compile("^" + PREFIX + "(br|h\\d|n\\d)([0-9a-z]+)$");

  private final String suffix;
  private final String subnet;
  private final int hosts;

  private Netns(String suffix, String subnet, int hosts) {
    this.suffix = suffix;
    this.subnet = subnet;
    this.hosts = hosts;
  }

  /** Makes the bridge and {@code hosts} namespaces (1..9), each with its link up. */
  static Netns create(int hosts) {
    if (hosts < 1 || hosts > 9) {
      throw new IllegalArgumentException("1 to 9 hosts, not " + hosts);
    }
    removeStale();
    long pid = ProcessHandle.current().pid();
    Netns n = new Netns(Long.toString(pid, 36), freeSubnet(pid), hosts);
    try {
      n.build();
    } catch (RuntimeException | Error e) {
      n.close();
      throw e;
    }
    return n;
  }

  private void build() {
    ip("link", "add", bridge(), "type", "bridge");
    ip("addr", "add", self() + "/24", "dev", bridge());
    ip("link", "set", bridge(), "up");
    for (int i = 1; i <= hosts; i++) {
      ip("netns", "add", namespace(i));
      ip("link", "add", hostLink(i), "type", "veth", "peer", "name", innerLink(i));
      ip("link", "set", hostLink(i), "master", bridge());
      ip("link", "set", hostLink(i), "up");
      ip("link", "set", innerLink(i), "netns", namespace(i));
      ip("netns", "exec", namespace(i), "ip", "addr", "add", address(i) + "/24", "dev",
          innerLink(i));
      ip("netns", "exec", namespace(i), "ip", "link", "set", innerLink(i), "up");
      ip("netns", "exec", namespace(i), "ip", "link", "set", "lo", "up");
      // A host's TCP retransmits at most a second apart (the kernel's bound is 120 s): across
      // a cut its connections back off, and without this the first segment to cross a healed
      // link might leave 30-60 s after the heal. Per namespace: the machine is untouched. The
      // key is in Linux 6.15 and later; an older kernel keeps its bound (only slower).
      if (Files.exists(RTO_MAX)) {
        ip("netns", "exec", namespace(i), "sysctl", "-q", "-w", "net.ipv4.tcp_rto_max_ms=1000");
      }
    }
  }

  /** Host {@code i}'s address, {@code 10.213.N.i}. */
  String address(int i) {
    return subnet + "." + i;
  }

  /** The root namespace's address on the bridge, where the test and root-side processes are. */
  String self() {
    return subnet + ".254";
  }

  String namespace(int i) {
    return PREFIX + "n" + i + suffix;
  }

  /** The root-namespace end of host {@code i}'s veth pair: the link {@link #cut} takes down. */
  String hostLink(int i) {
    return PREFIX + "h" + i + suffix;
  }

  private String innerLink(int i) {
    return PREFIX + "c" + i + suffix;
  }

  private String bridge() {
    return PREFIX + "br" + suffix;
  }

  /** {@code command} run inside host {@code i}'s namespace (an ordinary child: kill it by pid). */
  List<String> inside(int i, List<String> command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    c.addAll(command);
    return c;
  }

  /** Host {@code i} loses its link: nobody reaches it, it reaches nobody. */
  void cut(int i) {
    ip("link", "set", hostLink(i), "down");
  }

  /** Host {@code i}'s link up again. */
  void heal(int i) {
    ip("link", "set", hostLink(i), "up");
  }

  /** Removes what {@link #create} made; every step is tried, the first failure is thrown. */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    for (int i = 1; i <= hosts; i++) {
      tryRun(failures, List.of("ip", "netns", "del", namespace(i)));
      tryRun(failures, List.of("ip", "link", "del", hostLink(i)));
    }
    tryRun(failures, List.of("ip", "link", "del", bridge()));
    // What is gone already (a veth goes with its namespace) is no failure.
    failures.removeIf(f -> f.contains("Cannot find device") || f.contains("No such file"));
    if (!failures.isEmpty()) {
      throw new AssertionError("cleaning up the test network: " + failures);
    }
  }

  /** Names of ours made by a JVM that is no longer alive: a crashed or killed run's leftovers. */
  private static void removeStale() {
    List<String> stale = new ArrayList<>();
    for (String line : run(List.of("ip", "-o", "link", "show")).split("\n")) {
      // "12: qph1abc@if11: <...>" (a veth names its peer after '@').
      String[] f = line.split(":\\s+", 3);
      if (f.length >= 2) {
        String name = f[1].replaceFirst("@.*$", "");
        if (isStale(name)) {
          stale.add(name);
        }
      }
    }
    for (String name : stale) {
      tryRun(new ArrayList<>(), List.of("ip", "link", "del", name));
    }
    for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
      String name = line.trim().split("\\s+")[0];
      if (!name.isEmpty() && isStale(name)) {
        tryRun(new ArrayList<>(), List.of("ip", "netns", "del", name));
      }
    }
  }

  private static boolean isStale(String name) {
    Matcher m = OURS.matcher(name);
    if (!m.matches()) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(m.group(2), 36);
    } catch (NumberFormatException e) {
      return false;
    }
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  /** {@code 10.213.N} for an N that no route of this machine covers yet, starting from the pid. */
  private static String freeSubnet(long pid) {
    String routes = run(List.of("ip", "-4", "route", "show"));
    for (int k = 0; k < 250; k++) {
      String net = "10.213." + (1 + (pid + k) % 250);
      if (!routes.contains(net + ".")) {
        return net;
      }
    }
    throw new AssertionError("no free 10.213.N.0/24 for the test network; routes:\n" + routes);
  }

  private static void ip(String... args) {
    List<String> c = new ArrayList<>(List.of("ip"));
    c.addAll(List.of(args));
    run(c);
  }

  private static void tryRun(List<String> failures, List<String> command) {
    try {
      run(command);
    } catch (AssertionError e) {
      failures.add(e.getMessage());
    }
  }

  /** Runs {@code command}; its output, or an AssertionError naming it with its exit and output. */
  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + ": no exit within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue()
            + " (network namespaces need root: this test fails rather than skips): "
            + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }
}
