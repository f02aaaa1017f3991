package dev.quern.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A configuration: the voters, whose majority decides elections and commits, and the learners, who
 * receive the log but do not vote. Ids are kept sorted so that iteration order (and therefore
 * message order) is the same on every run.
 */
public record Membership(List<Long> voters, List<Long> learners) {

  public static final Membership EMPTY = new Membership(List.of(), List.of());

  public Membership {
    voters = sorted(voters);
    learners = sorted(learners);
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

  /** Every member, voters first. */
  public List<Long> all() {
    List<Long> all = new ArrayList<>(voters);
    all.addAll(learners);
    return all;
  }

  /** The configuration after one single-server change. */
  public Membership apply(ConfChange change) {
    TreeSet<Long> v = new TreeSet<>(voters);
    TreeSet<Long> l = new TreeSet<>(learners);
    switch (change.type()) {
      case ADD_VOTER -> {
        l.remove(change.nodeId());
        v.add(change.nodeId());
      }
      case ADD_LEARNER -> {
        if (!v.contains(change.nodeId())) {
          l.add(change.nodeId());
        }
      }
      case DEMOTE_VOTER -> {
        if (v.remove(change.nodeId())) {
          l.add(change.nodeId());
        }
      }
      case REMOVE_NODE -> {
        v.remove(change.nodeId());
        l.remove(change.nodeId());
      }
    }
    return new Membership(new ArrayList<>(v), new ArrayList<>(l));
  }
}
