package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bits of which maps have data in which partition answer "empty" exactly for the attempt
 * recorded and a partition it has no records in, against a plain model over a seeded run of
 * records: maps recorded late (past the arrays, which grow), a map recorded again with the same
 * attempt (the same answer), one recorded with another attempt (its output was lost and the map
 * ran again: never answered again), and a job whose bits would pass the limit (not answered past
 * it, never wrongly).
 */
@ExtendWith(Seeds.class)
class MapsWithDataTest {

  private record Recorded(int attempt, TreeSet<Integer> parts) {}

  private static int[] randomParts(SplittableRandom rnd, int partitions) {
    List<Integer> ps = new ArrayList<>();
    int share = 1 + rnd.nextInt(4);
    for (int p = 0; p < partitions; p++) {
      if (rnd.nextInt(share + 1) == 0) {
        ps.add(p);
      }
    }
    return ps.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void answersEmptyExactlyForTheRecordedAttempt(Seed seed) {
    SplittableRandom rnd = seed.random();
    int partitions = 1 + rnd.nextInt(130);
    MapsWithData t = new MapsWithData(partitions, Long.MAX_VALUE);
    Map<Integer, Recorded> model = new HashMap<>();
    Map<Integer, Boolean> mixed = new HashMap<>();
    for (int step = 0; step < 2000; step++) {
      // Late maps: the indexes reach far past the first arrays.
      int map = rnd.nextInt(step < 1000 ? 100 : 700);
      Recorded had = model.get(map);
      int attempt = had != null && rnd.nextInt(3) > 0 ? had.attempt() : rnd.nextInt(4);
      int[] parts = had != null && had.attempt() == attempt
          ? had.parts().stream().mapToInt(Integer::intValue).toArray()
          : randomParts(rnd, partitions);
      boolean answered = t.record(map, attempt, partitions, parts);
      if (had == null) {
        TreeSet<Integer> set = new TreeSet<>();
        for (int p : parts) {
          set.add(p);
        }
        model.put(map, new Recorded(attempt, set));
        assertThat(answered).isTrue();
      } else if (had.attempt() != attempt) {
        mixed.put(map, true);
      }
      if (step % 200 == 0 || step == 1999) {
        assertWordsAgree(t, rnd, partitions, step);
        for (int m = -1; m < 710; m++) {
          Recorded r = model.get(m);
          for (int a = 0; a < 4; a++) {
            for (int p = -1; p <= partitions; p++) {
              boolean expect = r != null && !mixed.containsKey(m) && r.attempt() == a
                  && p >= 0 && p < partitions && !r.parts().contains(p);
              assertThat(t.isEmpty(m, a, p))
                  .as("step %d map %d attempt %d partition %d", step, m, a, p)
                  .isEqualTo(expect);
            }
          }
        }
      }
    }
    assertThat(mixed).as("some maps ran again").isNotEmpty();
  }

  @Test
  void anotherPartitionCountIsNotAnswered() {
    MapsWithData t = new MapsWithData(4, Long.MAX_VALUE);
    assertThat(t.record(3, 0, 5, new int[] {1})).isFalse();
    assertThat(t.isEmpty(3, 0, 0)).isFalse();
    assertThat(t.record(4, 0, 4, new int[] {1})).isTrue();
    assertThat(t.isEmpty(4, 0, 0)).isTrue();
    assertThat(t.isEmpty(4, 0, 1)).isFalse();
  }

  @Test
  void pastTheLimitMapsAreNotAnsweredNorWronglyAnswered() {
    // 64 maps fit (256 bytes of attempts + 10 partitions x 8 bytes), 128 do not.
    MapsWithData t = new MapsWithData(10, 4 * 64 + 8 * 10);
    assertThat(t.record(63, 0, 10, new int[] {2})).isTrue();
    assertThat(t.record(64, 0, 10, new int[] {2})).isFalse();
    assertThat(t.isEmpty(63, 0, 3)).isTrue();
    assertThat(t.isEmpty(63, 0, 2)).isFalse();
    assertThat(t.isEmpty(64, 0, 3)).isFalse();
    assertThat(t.bytes()).isLessThanOrEqualTo(4 * 64 + 8 * 10);
  }
  /**
   * {@link MapsWithData#emptyIn}, 64 maps at a time, answers as {@link MapsWithData#isEmpty} does
   * for each candidate, with the attempt a feed has of it: a feed of random attempts (most of
   * them the recorded ones) over some of the maps, and random candidates among those present.
   */
  private static void assertWordsAgree(MapsWithData t, SplittableRandom rnd, int partitions,
      int step) {
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < 710; m++) {
      if (rnd.nextInt(5) > 0) {
        int a = rnd.nextInt(4);
        for (int tryAttempt = 0; tryAttempt < 4; tryAttempt++) {
          if (t.isEmpty(m, tryAttempt, 0) || rnd.nextBoolean()) {
            a = tryAttempt; // often the attempt recorded
          }
        }
        refs.add(new MapOutputRef(m, new TaskAttemptId("job-0001", TaskKind.MAP, m, a),
            "localhost", "m" + m + ".out", "m" + m + ".index"));
      }
    }
    MapOutputFeed.Snapshot seen = new MapOutputFeed(refs).snapshot();
    int answered = 0;
    for (int w = 0; w * 64 < 710; w++) {
      for (int p = -1; p <= partitions; p++) {
        long candidates = seen.presentWord(w) & rnd.nextLong() | seen.presentWord(w)
            & (rnd.nextBoolean() ? -1L : 0L);
        long expect = 0;
        for (int b = 0; b < 64; b++) {
          int m = w * 64 + b;
          if ((candidates & (1L << b)) != 0 && t.isEmpty(m, seen.attemptOf(m), p)) {
            expect |= 1L << b;
          }
        }
        answered += Long.bitCount(expect);
        assertThat(t.emptyIn(w, candidates, p, seen))
            .as("step %d word %d partition %d", step, w, p).isEqualTo(expect);
      }
    }
    if (step == 1999) {
      assertThat(answered).as("some maps known empty").isPositive();
    }
  }
}
