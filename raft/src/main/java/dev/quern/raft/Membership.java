package dev.quern.raft;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A configuration: the voters, whose majority decides elections and commits, and the learners, who
 * receive the log but do not vote. Ids are kept sorted so that iteration order (and therefore
 * message order) is the same on every run. {@code addresses} holds the addresses members were added
 * with ({@link ConfChange#address()}), opaque to the core, by id; a member need not have one.
 */
public record Membership(List<Long> voters, List<Long> learners, Map<Long, String> addresses) {

  public static final Membership EMPTY = new Membership(List.of(), List.of());

  public Membership {
    voters = sorted(voters);
    learners = sorted(learners);
    TreeMap<Long, String> a = new TreeMap<>(addresses == null ? Map.of() : addresses);
    for (Map.Entry<Long, String> e : a.entrySet()) {
      if (!voters.contains(e.getKey()) && !learners.contains(e.getKey())) {
        throw new IllegalArgumentException("address for node " + e.getKey() + ", which is not a member");
      }
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new IllegalArgumentException("empty address for node " + e.getKey());
      }
    }
    addresses = Collections.unmodifiableMap(a);
  }

  /** A configuration without addresses. */
  public Membership(List<Long> voters, List<Long> learners) {
    this(voters, learners, Map.of());
  }

  private static List<Long> sorted(List<Long> ids) {
    return new ArrayList<>(new TreeSet<>(ids));
  }

  public boolean isVoter(long id) {
    return voters.contains(id);
  }

  public boolean isLearner(long id) {
    return learners.contains(id);
  }

  public boolean contains(long id) {
    return isVoter(id) || isLearner(id);
  }

  /** The address member {@code id} was added with, if any. */
  public Optional<String> address(long id) {
    return Optional.ofNullable(addresses.get(id));
  }

  /** Every member, voters first. */
  public List<Long> all() {
    List<Long> all = new ArrayList<>(voters);
    all.addAll(learners);
    return all;
  }

  /**
   * The configuration after one single-server change. An added member's address replaces the one
   * known for it; a change without one keeps it (a promoted learner keeps its address); a removed
   * member's address goes with it.
   */
  public Membership apply(ConfChange change) {
    TreeSet<Long> v = new TreeSet<>(voters);
    TreeSet<Long> l = new TreeSet<>(learners);
    TreeMap<Long, String> a = new TreeMap<>(addresses);
    long n = change.nodeId();
    switch (change.type()) {
      case ADD_VOTER -> {
        l.remove(n);
        v.add(n);
        if (!change.address().isEmpty()) {
          a.put(n, change.address());
        }
      }
      case ADD_LEARNER -> {
        if (!v.contains(n)) {
          l.add(n);
          if (!change.address().isEmpty()) {
            a.put(n, change.address());
          }
        }
      }
      case DEMOTE_VOTER -> {
        if (v.remove(n)) {
          l.add(n);
        }
      }
      case REMOVE_NODE -> {
        v.remove(n);
        l.remove(n);
        a.remove(n);
      }
    }
    return new Membership(new ArrayList<>(v), new ArrayList<>(l), a);
  }
}
