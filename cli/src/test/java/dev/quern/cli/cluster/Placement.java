package dev.quern.cli.cluster;

import java.util.List;

/**
 * Where {@link ClusterFixture} runs each master and worker, and at which address: all on
 * 127.0.0.1 ({@link #LOOPBACK}, the suite's default), or on "hosts" of a test network
 * ({@link Netns}), where a master's link can be cut.
 */
interface Placement {
  /** Every process in the root namespace, bound to 127.0.0.1, with no extra flags. */
  Placement LOOPBACK = new Placement() {
    @Override
    public String masterHost(String id) {
      return "127.0.0.1";
    }

    @Override
    public List<String> command(String id, List<String> quern) {
      return quern;
    }

    @Override
    public List<String> extraArgs(String id) {
      return List.of();
    }
  };

  /** The address master {@code id} binds (Raft and HTTP) and everyone dials. */
  String masterHost(String id);

  /** How process {@code id} is started: {@code quern} (a full command line) as is, or wrapped. */
  List<String> command(String id, List<String> quern);

  /** Flags to add to the {@code quern master|worker} command of process {@code id}. */
  List<String> extraArgs(String id);

  /**
   * The credentials directory of a secured cluster, whose client token the fixture's requests and
   * clients send (clients through {@code QUERN_SECURITY}); null: an unsecured cluster.
   */
  default java.nio.file.Path credentials() {
    return null;
  }

  /**
   * Master {@code mi} (m1, m2, ...) alone on host {@code i} of {@code net}; workers in the root
   * namespace on the bridge's address (they shuffle among themselves there). Every process binds
   * its private address, so every one runs with {@code --unsafe-allow-private-bind}.
   */
  static Placement mastersApart(Netns net) {
    return new Placement() {
      private boolean master(String id) {
        return id.matches("m\\d");
      }

      @Override
      public String masterHost(String id) {
        return net.address(Integer.parseInt(id.substring(1)));
      }

      @Override
      public List<String> command(String id, List<String> quern) {
        return master(id) ? net.inside(Integer.parseInt(id.substring(1)), quern) : quern;
      }

      @Override
      public List<String> extraArgs(String id) {
        return master(id) ? List.of("--unsafe-allow-private-bind")
            : List.of("--unsafe-allow-private-bind", "--host", net.self());
      }
    };
  }
}
