package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log satellite: append with truncation, fast back-off hints, compaction, unstable tracking, config history. */
class RaftLogTest {

  private static List<Entry> entries(long firstIndex, long... terms) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      out.add(new Entry(terms[i], firstIndex + i, EntryType.NORMAL, new byte[] {(byte) i}));
    }
    return out;
  }

  @Test
  void appendTruncatesConflictsAndRemembersWhatIsUnstable() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    log.append(entries(1, 1, 1, 2, 2));
    assertThat(log.unstableEntries()).hasSize(4);
    log.stableTo(4);
    assertThat(log.hasUnstableEntries()).isFalse();
    // A leader of term 3 overwrites from index 3.
    assertThat(log.maybeAppend(2, 1, 0, entries(3, 3))).isEqualTo(3);
    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.term(3)).isEqualTo(3);
    assertThat(log.unstableEntries()).extracting(Entry::index).containsExactly(3L);
    // Mismatch at prevIndex: rejected.
    assertThat(log.maybeAppend(3, 2, 0, List.of())).isEqualTo(-1);
    // A stale duplicate that matches does not truncate.
    assertThat(log.maybeAppend(1, 1, 0, entries(2, 1))).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(3);
  }

  @Test
  void committedEntriesAreNeverTruncated() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    log.append(entries(1, 1, 1));
    log.commitTo(2);
    assertThatThrownBy(() -> log.append(entries(2, 2))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void findConflictByTermSkipsWholeTerms() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    log.append(entries(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6));
    assertThat(log.findConflictByTerm(10, 3)).isEqualTo(3);
    assertThat(log.findConflictByTerm(10, 5)).isEqualTo(7);
    assertThat(log.findConflictByTerm(10, 6)).isEqualTo(10);
    assertThat(log.findConflictByTerm(10, 0)).isEqualTo(0);
  }

  @Test
  void upToDateComparesLastTermThenLength() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    log.append(entries(1, 1, 2, 2));
    assertThat(log.isUpToDate(1, 3)).isTrue();
    assertThat(log.isUpToDate(3, 2)).isTrue();
    assertThat(log.isUpToDate(2, 2)).isFalse();
    assertThat(log.isUpToDate(10, 1)).isFalse();
  }

  @Test
  void compactionKeepsTermsAndMembershipAtTheCut() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    List<Entry> ents = new ArrayList<>();
    ents.add(new Entry(1, 1, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, 1).encode()));
    ents.add(new Entry(1, 2, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, 2).encode()));
    ents.addAll(entries(3, 1, 2, 2));
    log.append(ents);
    log.stableTo(5);
    log.commitTo(5);
    log.appliedTo(4);
    Snapshot s = log.compact(4, new byte[] {9}, 1);
    assertThat(s.index()).isEqualTo(4);
    assertThat(s.term()).isEqualTo(2);
    assertThat(s.membership().voters()).containsExactly(1L, 2L);
    assertThat(log.firstIndex()).isEqualTo(4); // one entry of margin kept below the snapshot
    assertThat(log.term(3)).isEqualTo(1);
    assertThat(log.term(2)).isEqualTo(-1);
    assertThat(log.slice(3, 10, 1 << 20, true)).isNull();
    assertThat(log.membership().voters()).containsExactly(1L, 2L);
  }

  @Test
  void sliceKeepsToTheByteLimitAndTakesAnOversizedFirstEntryOnlyWhenAsked() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    List<Entry> ents = new ArrayList<>();
    for (long i = 1; i <= 5; i++) {
      ents.add(new Entry(1, i, EntryType.NORMAL, new byte[100])); // 124 bytes each with the overhead
    }
    log.append(ents);
    assertThat(log.slice(1, 10, 3 * 124, false)).extracting(Entry::index).containsExactly(1L, 2L, 3L);
    assertThat(log.slice(1, 10, 3 * 124 - 1, false)).extracting(Entry::index).containsExactly(1L, 2L);
    assertThat(log.slice(2, 2, 1 << 20, false)).extracting(Entry::index).containsExactly(2L, 3L);
    assertThat(log.slice(1, 10, 123, false)).isEmpty();
    assertThat(log.slice(1, 10, 123, true)).extracting(Entry::index).containsExactly(1L);
  }

  @Test
  void membershipTakesEffectWhenAppendedAndRevertsOnTruncation() {
    RaftLog log = new RaftLog(PersistentState.EMPTY);
    log.append(List.of(new Entry(1, 1, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, 1).encode())));
    log.commitTo(1);
    log.append(List.of(new Entry(2, 2, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_LEARNER, 2).encode())));
    assertThat(log.membership().learners()).containsExactly(2L);
    assertThat(log.lastConfIndex()).isEqualTo(2);
    log.append(entries(2, 3));
    assertThat(log.membership().learners()).isEmpty();
    assertThat(log.membership().voters()).containsExactly(1L);
    assertThat(log.lastConfIndex()).isEqualTo(1);
  }

  @Test
  void restartRebuildsFromSnapshotAndEntries() {
    Snapshot snap = new Snapshot(5, 2, new Membership(List.of(1L, 2L, 3L), List.of()), new byte[] {1});
    // 4 and 5 are below the snapshot and agree with it (5 has its term): a compaction margin the store
    // kept, so 4 becomes the offset (its term known) and 5 stays in the log, as before the restart.
    List<Entry> persisted = new ArrayList<>(entries(4, 2, 2));
    persisted.addAll(entries(6, 3, 3));
    RaftLog log = new RaftLog(new PersistentState(new HardState(3, 1, 7), snap, persisted));
    assertThat(log.firstIndex()).isEqualTo(5);
    assertThat(log.term(4)).isEqualTo(2);
    assertThat(log.term(5)).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(7);
    assertThat(log.committed).isEqualTo(7);
    assertThat(log.applied).isEqualTo(5);
    assertThat(log.nextCommittedEntries()).extracting(Entry::index).containsExactly(6L, 7L);
    assertThat(log.membership().voters()).containsExactly(1L, 2L, 3L);
  }
}
