package dev.quern.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The feed's snapshots: an output per map index, replaced by a newer one, withdrawn only by the
 * attempt that made it; a snapshot taken before an update keeps what it saw.
 */
class MapOutputFeedTest {
  private static MapOutputRef ref(int map, int attempt) {
    TaskAttemptId id = new TaskAttemptId("job-1", TaskKind.MAP, map, attempt);
    return new MapOutputRef(map, id, "localhost", "/d/" + map + "." + attempt,
        "/i/" + map + "." + attempt);
  }

  @Test
  void snapshotsGiveTheOutputByMapAndKeepWhatTheySaw() {
    MapOutputRef m0 = ref(0, 1);
    MapOutputRef m2 = ref(2, 1);
    MapOutputFeed feed = new MapOutputFeed(List.of(m2, m0));
    MapOutputFeed.Snapshot first = feed.snapshot();
    assertThat(first.count()).isEqualTo(2);
    assertThat(first.get(0)).isEqualTo(m0);
    assertThat(first.get(1)).isNull();
    assertThat(first.get(2)).isEqualTo(m2);
    assertThat(first.get(3)).isNull();
    assertThat(first.get(-1)).isNull();
    assertThat(first.outputs()).isEqualTo(Map.of(0, m0, 2, m2));

    MapOutputRef m0again = ref(0, 2);
    MapOutputRef m5 = ref(5, 1);
    feed.update(List.of(m0again, m5), List.of(m2.attempt()));
    MapOutputFeed.Snapshot second = feed.snapshot();
    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(second.count()).isEqualTo(2);
    assertThat(second.get(0)).isEqualTo(m0again);
    assertThat(second.get(2)).isNull();
    assertThat(second.get(5)).isEqualTo(m5);
    assertThat(second.span()).isGreaterThanOrEqualTo(6);
    assertThat(second.outputs()).isEqualTo(Map.of(0, m0again, 5, m5));
    // The earlier snapshot is unchanged.
    assertThat(first.get(0)).isEqualTo(m0);
    assertThat(first.get(2)).isEqualTo(m2);
    assertThat(first.count()).isEqualTo(2);
  }

  @Test
  void aWithdrawalOfAnOlderAttemptLeavesTheNewerOutput() {
    MapOutputRef old = ref(1, 1);
    MapOutputRef newer = ref(1, 2);
    MapOutputFeed feed = new MapOutputFeed(List.of(old));
    feed.update(List.of(newer), List.of());
    feed.update(List.of(), List.of(old.attempt()));
    MapOutputFeed.Snapshot s = feed.snapshot();
    assertThat(s.get(1)).isEqualTo(newer);
    assertThat(s.count()).isEqualTo(1);
    feed.update(List.of(), List.of(newer.attempt(), ref(9, 1).attempt()));
    assertThat(feed.snapshot().get(1)).isNull();
    assertThat(feed.snapshot().count()).isZero();
  }

  @Test
  void awaitAfterReturnsTheUpdateOrTheSameVersionWhenNoneCame() throws Exception {
    MapOutputFeed feed = new MapOutputFeed(List.of());
    MapOutputFeed.Snapshot empty = feed.snapshot();
    assertThat(feed.awaitAfter(empty, 1).version()).isEqualTo(empty.version());
    feed.update(List.of(ref(0, 1)), List.of());
    MapOutputFeed.Snapshot next = feed.awaitAfter(empty, 60_000);
    assertThat(next.version()).isNotEqualTo(empty.version());
    assertThat(next.get(0)).isEqualTo(ref(0, 1));
  }

  @Test
  void feedsStartedFromOneListShareItsArraysAndStayApart() {
    MapOutputRef m0 = ref(0, 1);
    MapOutputRef m3 = ref(3, 1);
    List<MapOutputRef> shared = List.copyOf(new java.util.ArrayList<>(List.of(m3, m0)));
    MapOutputFeed.Start start = MapOutputFeed.Start.of(shared);
    assertThat(start.isOf(shared)).isTrue();
    assertThat(start.isOf(List.copyOf(new java.util.ArrayList<>(shared)))).isFalse();

    MapOutputFeed a = new MapOutputFeed(start);
    MapOutputFeed b = new MapOutputFeed(start);
    MapOutputRef m3again = ref(3, 2);
    MapOutputRef m7 = ref(7, 1);
    a.update(List.of(m3again, m7), List.of(m0.attempt()));

    MapOutputFeed.Snapshot sa = a.snapshot();
    assertThat(sa.outputs()).isEqualTo(Map.of(3, m3again, 7, m7));
    assertThat(sa.attemptOf(3)).isEqualTo(2);
    assertThat(sa.presentWord(0)).isEqualTo((1L << 3) | (1L << 7));
    // The other feed, and a third started after the update, still see the start.
    for (MapOutputFeed other : List.of(b, new MapOutputFeed(start))) {
      MapOutputFeed.Snapshot s = other.snapshot();
      assertThat(s.outputs()).isEqualTo(Map.of(0, m0, 3, m3));
      assertThat(s.count()).isEqualTo(2);
      assertThat(s.attemptOf(3)).isEqualTo(1);
      assertThat(s.presentWord(0)).isEqualTo((1L << 0) | (1L << 3));
    }
  }

  @Test
  void aModifiableListIsNotTakenForTheSameStart() {
    java.util.List<MapOutputRef> mutable = new java.util.ArrayList<>(List.of(ref(0, 1)));
    MapOutputFeed.Start start = MapOutputFeed.Start.of(mutable);
    assertThat(start.isOf(mutable)).isFalse();
    mutable.add(ref(1, 1));
    assertThat(new MapOutputFeed(start).snapshot().count()).isEqualTo(1);
  }
}
