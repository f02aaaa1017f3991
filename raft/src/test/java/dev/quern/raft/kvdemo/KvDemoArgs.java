package dev.quern.raft.kvdemo;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command line of {@link KvDemoMain}.
 *
 * <pre>
 * --id 1 --data /var/quern/m1 --port 25521 --client-port 7001   (--client-port 0: any free port)
 * --peers 2=127.0.0.1:25522,3=127.0.0.1:25523          (Raft/Artery addresses of the others)
 * [--peer-clients 2=127.0.0.1:7002,3=127.0.0.1:7003]  (their client endpoints, for redirects)
 * [--tick-ms 50] [--snapshot-every 10000] [--segment-bytes 67108864]
 * </pre>
 */
public record KvDemoArgs(long id, Path data, int port, int clientPort, Map<Long, String> peers,
             Map<Long, String> peerClients, int tickMillis, int snapshotEvery, long segmentBytes) {

  public static KvDemoArgs parse(String[] args) {
    Map<String, String> opts = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value at argument " + (i + 1) + ": " + args[i]);
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    long id = Long.parseLong(required(opts, "id"));
    KvDemoArgs parsed = new KvDemoArgs(id, Path.of(required(opts, "data")),
        Integer.parseInt(required(opts, "port")), Integer.parseInt(required(opts, "client-port")),
        addresses(opts.getOrDefault("peers", ""), "--peers"),
        addresses(opts.getOrDefault("peer-clients", ""), "--peer-clients"),
        Integer.parseInt(opts.getOrDefault("tick-ms", "50")),
        Integer.parseInt(opts.getOrDefault("snapshot-every", "10000")),
        Long.parseLong(opts.getOrDefault("segment-bytes", Long.toString(64L << 20))));
    for (String known : new String[] {"id", "data", "port", "client-port", "peers", "peer-clients",
        "tick-ms", "snapshot-every", "segment-bytes"}) {
      opts.remove(known);
    }
    if (!opts.isEmpty()) {
      throw new IllegalArgumentException("unknown options " + opts.keySet());
    }
    if (parsed.peers.containsKey(id)) {
      throw new IllegalArgumentException("--peers lists this node's own id " + id);
    }
    return parsed;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  /** {@code 2=host:port,3=host:port} by id. */
  static Map<Long, String> addresses(String list, String option) {
    Map<Long, String> out = new TreeMap<>();
    for (String item : list.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      int colon = item.lastIndexOf(':');
      if (eq <= 0 || colon < eq) {
        throw new IllegalArgumentException(option + ": expected id=host:port, got '" + item + "'");
      }
      out.put(Long.parseLong(item.substring(0, eq).trim()), item.substring(eq + 1).trim());
    }
    return out;
  }
}
