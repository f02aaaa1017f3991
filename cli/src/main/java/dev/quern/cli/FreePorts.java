package dev.quern.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Ports for processes that must know each other's before they start (the masters' Raft ports):
 * drawn below the kernel's ephemeral range, where no port-0 bind and no outgoing connection is
 * ever given a port, so only a process that asks for that very number takes it; each probed free.
 * Another process may still take one between the probe and the bind: then that master fails to
 * start and says so.
 */
public final class FreePorts {
  private FreePorts() {}

  /** {@code n} distinct free loopback ports. */
  public static int[] choose(int n) {
    // Port numbers are the environment's, not a scenario's: a fresh generator.
    SplittableRandom random = new SplittableRandom();
    int low = 10_000;
    int high = ephemeralLow();
    int[] ports = new int[n];
    Set<Integer> taken = new HashSet<>();
    for (int i = 0; i < n; i++) {
      for (int tries = 0; ; tries++) {
        if (tries == 1000) {
          throw new IllegalStateException("no free port in [" + low + ", " + high + ") after 1000 tries");
        }
        int candidate = random.nextInt(low, high);
        if (!taken.contains(candidate) && bindable(candidate)) {
          ports[i] = candidate;
          taken.add(candidate);
          break;
        }
      }
    }
    return ports;
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 11_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as Artery binds: a port in TIME_WAIT is usable
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
