package dev.quern.master.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Properties;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master's Raft node id: fixed for the life of its data directory, whatever {@code --peers}
 * lists. A master whose data directory is new takes {@link #of(String)}, a number derived from
 * its id alone (so every master computes every founder's, and the leader a joiner's, without
 * asking anyone, and adding "a0" to a cluster of m1..m3 moves nobody). The number is kept in
 * {@code DATA/raft-node} and read from there on every later start.
 *
 * <p>Directories made before that file existed used a master's place among the sorted ids of
 * {@code --peers} (1, 2, 3...): such a directory keeps that number (written to the file on its
 * first start with this code), and every number below {@link #DERIVED_FROM} is read as such a
 * place, so an old cluster keeps working and can take members with new ids.
 */
public final class RaftIds {
  private static final Logger log = LoggerFactory.getLogger(RaftIds.class);

  /** Derived ids lie in [2^32, 2^53): never a place in --peers, and exact as a JSON number. */
  public static final long DERIVED_FROM = 1L << 32;
  private static final long SPAN = (1L << 53) - DERIVED_FROM;

  /** The file under the data directory that keeps the node id. */
  public static final String FILE = "raft-node";

  private RaftIds() {}

  /** The Raft node id of a master with id {@code masterId} and a new data directory. */
  public static long of(String masterId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(masterId.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return DERIVED_FROM + Math.floorMod(h, SPAN);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /** Whether {@code node} is a place in the sorted --peers (an id of an older data directory). */
  public static boolean positional(long node) {
    return node > 0 && node < DERIVED_FROM;
  }

  /** The place of {@code masterId} among the sorted ids of {@code peers}, from 1; 0 if absent. */
  static long place(SortedMap<String, ?> peers, String masterId) {
    return new ArrayList<>(peers.keySet()).indexOf(masterId) + 1;
  }

  /**
   * The node id of {@code masterId} as this master reckons it from its --peers: its place if this
   * master's own id is a place (an older cluster), else derived from the id.
   */
  static long peer(SortedMap<String, ?> peers, String masterId, long self) {
    return positional(self) ? place(peers, masterId) : of(masterId);
  }

  /**
   * The master of {@code peers} that node {@code node} would be: the one at that place for a
   * place, else the one whose id gives it; "" if none.
   */
  static String peerOf(SortedMap<String, ?> peers, long node) {
    if (positional(node)) {
      return node <= peers.size() ? new ArrayList<>(peers.keySet()).get((int) node - 1) : "";
    }
    for (String id : peers.keySet()) {
      if (of(id) == node) {
        return id;
      }
    }
    return "";
  }

  /**
   * This master's node id: read from {@code DATA/raft-node}; for a data directory with a Raft
   * log and no such file, its place in --peers (as it was founded); for a new one, {@link #of}.
   * Writes the file when it was missing.
   *
   * @throws IllegalArgumentException if the directory belongs to another master id
   */
  public static long settle(MasterProcessConfig config) throws IOException {
    Path file = config.data().resolve(FILE);
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      }
      String owner = p.getProperty("master", "");
      long node;
      try {
        node = Long.parseLong(p.getProperty("node", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": no node number in it (node=...); restore it, "
            + "or start this master on an empty --data and --join the cluster");
      }
      if (!owner.equals(config.id())) {
        throw new IllegalArgumentException("--data " + config.data() + " belongs to master '"
            + owner + "' (raft node " + node + "), not --id " + config.id() + ": give --id "
            + owner + ", or an empty --data to start master " + config.id() + " afresh");
      }
      return node;
    }
    long node;
    if (hasLog(config.data().resolve("raft"))) {
      node = place(config.peers(), config.id());
      log.info("master {}: data directory from before {} existed: keeping raft node {}, its "
          + "place in --peers {}", config.id(), FILE, node, config.peers().keySet());
    } else {
      node = of(config.id());
      for (String other : config.peers().keySet()) {
        if (!other.equals(config.id()) && of(other) == node) {
          throw new IllegalArgumentException("--peers: master ids '" + other + "' and '"
              + config.id() + "' give the same raft node id; rename one");
        }
      }
    }
    write(file, config.id(), node);
    return node;
  }

  private static boolean hasLog(Path raft) throws IOException {
    if (!Files.isDirectory(raft)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(raft)) {
      return s.anyMatch(Files::isRegularFile);
    }
  }

  private static void write(Path file, String masterId, long node) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(FILE + ".tmp");
    Files.writeString(tmp, "# this master's Raft node id; fixed for the life of this directory\n"
        + "master=" + escape(masterId) + "\nnode=" + node + "\n", StandardCharsets.UTF_8);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A value as {@link Properties#load} reads it back. */
  private static String escape(String value) {
    Properties p = new Properties();
    p.setProperty("k", value);
    java.io.StringWriter w = new java.io.StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (String line : w.toString().split("\n")) {
      if (line.startsWith("k=")) {
        return line.substring(2).strip();
      }
    }
    throw new IllegalStateException("cannot write master id " + value);
  }
}
