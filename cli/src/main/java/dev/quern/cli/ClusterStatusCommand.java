package dev.quern.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quern.master.cluster.ClusterHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quern cluster status}: every process of the cluster in DIR, alive or not; masters also
 * with the role and term they report over HTTP. A master that joined the group by hand ({@code
 * quern master --join}) was not started from DIR, so DIR's processes file does not name it: the
 * members a live master lists in its {@code /api/cluster} are added too (no pid, {@code fromDir}
 * false), so the list is the group's and not just the directory's. Exit code 0 whatever their
 * state.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Lists every process of the cluster in --dir (kind, id, pid, address, alive; "
        + "masters also role and term), and the masters the group lists that were not started "
        + "from --dir (joined by hand; no pid).")
final class ClusterStatusCommand implements Callable<Integer> {
  @Option(names = "--dir", paramLabel = "DIR", description = "The cluster's directory (default ~/.quern/cluster).")
  Path dir;

  @Option(names = "--json", description = "One JSON document instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws JsonProcessingException {
    ClusterDir cd = new ClusterDir(dir == null ? ClusterDir.defaultDir() : dir);
    if (!cd.exists()) {
      throw new CliException("no cluster in " + cd.dir + " (no " + ClusterDir.PROCESSES
          + " file): start one with 'quern cluster start --dir " + cd.dir + "'");
    }
    ClusterHttpClient http = new ClusterHttpClient(ClientToken.access(cd.dir));
    ObjectNode doc = ClusterHttpClient.JSON.createObjectNode();
    doc.put("dir", cd.dir.toString());
    doc.put("address", cd.address().orElse(""));
    ArrayNode procs = doc.putArray("processes");
    String leaderHttp = "";
    JsonNode members = null; // the group as the first master that answered lists it
    for (ClusterDir.Proc p : cd.read()) {
      ObjectNode n = procs.addObject();
      boolean alive = p.alive();
      n.put("kind", p.kind());
      n.put("id", p.id());
      n.put("pid", p.pid());
      n.put("alive", alive);
      n.put("address", p.address());
      n.put("http", p.http());
      n.put("log", p.log().toString());
      n.put("fromDir", true);
      if (p.kind().equals("master")) {
        Optional<ClusterHttpClient.Answer> a = alive ? http.get(p.http(), ClusterHttp.STATUS)
            : Optional.empty();
        JsonNode s = a.filter(x -> x.status() == 200).map(ClusterHttpClient.Answer::body)
            .orElse(null);
        putStatus(n, s);
        if (s != null && leaderHttp.isEmpty()) {
          leaderHttp = s.path("leaderHttp").asText();
        }
        if (s != null && members == null && s.path("masters").size() > 0) {
          members = s.path("masters");
        }
      }
    }
    boolean joined = joinedMasters(http, members, procs);
    workerHttp(http, leaderHttp, procs);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ClusterHttpClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else {
      out.println("Cluster in " + cd.dir + (doc.path("address").asText().isEmpty() ? ""
          : ": " + doc.path("address").asText()));
      String fmt = "%-7s %-4s %-8s %-6s %-22s %-22s %-10s %s%n";
      out.printf(fmt, "KIND", "ID", "PID", "ALIVE", "ADDRESS", "HTTP", "ROLE", "TERM");
      for (JsonNode n : procs) {
        boolean master = n.path("kind").asText().equals("master");
        out.printf(fmt, n.path("kind").asText(), n.path("id").asText(),
            n.path("pid").isNull() ? "-" : n.path("pid").asText(),
            n.path("alive").asBoolean() ? "yes" : "no", dash(n.path("address").asText()),
            dash(n.path("http").asText()), master ? dash(n.path("role").asText()) : "-",
            master && !n.path("term").isNull() ? n.path("term").asText() : "-");
      }
      if (joined) {
        out.println("PID '-': a master the group lists that was not started from " + cd.dir
            + " (joined by hand, e.g. 'quern master --join'); its pid is not known here.");
      }
    }
    out.flush();
    return 0;
  }

  /** A master's role, term and leader as its {@code /api/cluster} says ({@code s}; null: none). */
  private static void putStatus(ObjectNode n, JsonNode s) {
    n.put("role", s == null ? "" : s.path("role").asText());
    if (s == null) {
      n.putNull("term");
    } else {
      n.put("term", s.path("term").asLong());
    }
    n.put("leader", s == null ? "" : s.path("leaderId").asText());
  }

  /**
   * Adds the masters of {@code members} (a live master's {@code /api/cluster} list) that no
   * master line of DIR names: kind master, no pid (null), {@code fromDir} false, alive when its
   * own {@code /api/cluster} answers, with its role and term from that answer. True if any.
   */
  private static boolean joinedMasters(ClusterHttpClient http, JsonNode members,
      ArrayNode procs) {
    if (members == null) {
      return false;
    }
    java.util.Set<String> known = new java.util.HashSet<>();
    procs.forEach(p -> {
      if (p.path("kind").asText().equals("master")) {
        known.add(p.path("id").asText());
      }
    });
    boolean any = false;
    for (JsonNode m : members) {
      String id = m.path("id").asText();
      if (id.isEmpty() || !known.add(id)) {
        continue;
      }
      String httpAddress = m.path("http").asText();
      JsonNode s = httpAddress.isEmpty() ? null : http.get(httpAddress, ClusterHttp.STATUS)
          .filter(x -> x.status() == 200).map(ClusterHttpClient.Answer::body).orElse(null);
      ObjectNode n = procs.addObject();
      n.put("kind", "master");
      n.put("id", id);
      n.putNull("pid");
      n.put("alive", s != null);
      n.put("address", m.path("raft").asText());
      n.put("http", httpAddress);
      n.put("log", "");
      n.put("fromDir", false);
      putStatus(n, s);
      any = true;
    }
    return any;
  }

  /**
   * A worker's HTTP address (its shuffle server, which serves its {@code /metrics}) as its
   * heartbeats told the leader: {@code http} and {@code metrics} of each worker the leader lists.
   */
  private static void workerHttp(ClusterHttpClient http, String leaderHttp, ArrayNode procs) {
    Optional<ClusterHttpClient.Answer> a = leaderHttp.isEmpty() ? Optional.empty()
        : http.get(leaderHttp, ClusterHttp.WORKERS);
    java.util.Map<String, JsonNode> listed = new java.util.HashMap<>();
    a.filter(x -> x.status() == 200).ifPresent(x -> x.body().path("workers")
        .forEach(w -> listed.put(w.path("id").asText(), w)));
    for (JsonNode p : procs) {
      if (p.path("kind").asText().equals("worker")) {
        JsonNode w = listed.get(p.path("id").asText());
        ObjectNode n = (ObjectNode) p;
        if (n.path("http").asText().isEmpty()) {
          n.put("http", w == null ? "" : w.path("http").asText());
        }
        n.put("metrics", w == null ? "" : w.path("metrics").asText());
      }
    }
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** The last {@code lines} lines of a log, or why there are none. */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
