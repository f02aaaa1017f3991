package dev.quern.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feed's bits of maps with an output, attempt numbers and count of withdrawn or replaced
 * outputs, after seeded random updates (outputs added, re-added, replaced by a newer attempt,
 * withdrawn by their own or by a stale attempt), against a model kept as a map by map index; each
 * earlier snapshot keeps what it saw.
 */
@ExtendWith(Seeds.class)
class MapOutputFeedModelTest {
  private static MapOutputRef ref(int map, int attempt) {
    TaskAttemptId id = new TaskAttemptId("job-1", TaskKind.MAP, map, attempt);
    return new MapOutputRef(map, id, "localhost", "/d/" + map + "." + attempt,
        "/i/" + map + "." + attempt);
  }

  @Test
  void snapshotsAgreeWithAModelOfTheUpdates(Seed seed) {
    SplittableRandom rnd = seed.random();
    int maps = 300; // several words of bits, the last one partial
    Map<Integer, MapOutputRef> model = new HashMap<>();
    List<MapOutputRef> initial = new ArrayList<>();
    for (int m = 0; m < maps; m += 1 + rnd.nextInt(7)) {
      MapOutputRef r = ref(m, 1);
      initial.add(r);
      model.put(m, r);
    }
    MapOutputFeed feed = new MapOutputFeed(initial);
    long replaced = 0;
    List<MapOutputFeed.Snapshot> snapshots = new ArrayList<>();
    List<Map<Integer, MapOutputRef>> models = new ArrayList<>();
    List<Long> replacedThen = new ArrayList<>();
    for (int step = 0; step < 400; step++) {
      List<MapOutputRef> added = new ArrayList<>();
      List<TaskAttemptId> withdrawn = new ArrayList<>();
      Map<Integer, MapOutputRef> next = new HashMap<>(model);
      long nextReplaced = replaced;
      // Withdrawals apply first, then additions, as the feed documents.
      for (int i = rnd.nextInt(3); i > 0; i--) {
        int m = rnd.nextInt(maps + 20);
        MapOutputRef held = next.get(m);
        int attempt = held != null && rnd.nextBoolean() ? held.attempt().attempt()
            : 1 + rnd.nextInt(4);
        TaskAttemptId w = ref(m, attempt).attempt();
        withdrawn.add(w);
        if (held != null && held.attempt().equals(w)) {
          next.remove(m);
          nextReplaced++;
        }
      }
      for (int i = rnd.nextInt(4); i > 0; i--) {
        int m = rnd.nextInt(maps + 20);
        MapOutputRef a = ref(m, 1 + rnd.nextInt(4));
        added.add(a);
        MapOutputRef held = next.put(m, a);
        if (held != null && !held.equals(a)) {
          nextReplaced++;
        }
      }
      feed.update(added, withdrawn);
      model = next;
      replaced = nextReplaced;
      MapOutputFeed.Snapshot s = feed.snapshot();
      check(s, model, replaced, maps + 20, seed, step);
      if (rnd.nextInt(20) == 0) {
        snapshots.add(s);
        models.add(model);
        replacedThen.add(replaced);
      }
    }
    for (int i = 0; i < snapshots.size(); i++) {
      check(snapshots.get(i), models.get(i), replacedThen.get(i), maps + 20, seed, -1);
    }
  }

  private static void check(MapOutputFeed.Snapshot s, Map<Integer, MapOutputRef> model,
      long replaced, int maps, Seed seed, int step) {
    String at = "seed " + seed + " step " + step;
    assertThat(s.replaced()).as(at).isEqualTo(replaced);
    assertThat(s.count()).as(at).isEqualTo(model.size());
    int words = (maps + 63) >>> 6;
    int bits = 0;
    for (int w = 0; w <= words; w++) {
      long word = s.presentWord(w);
      bits += Long.bitCount(word);
      for (int b = 0; b < 64; b++) {
        int m = (w << 6) + b;
        MapOutputRef want = model.get(m);
        assertThat((word >>> b & 1) != 0).as("%s map %d present", at, m).isEqualTo(want != null);
        assertThat(s.get(m)).as("%s map %d", at, m).isEqualTo(want);
        assertThat(s.attemptOf(m)).as("%s map %d attempt", at, m)
            .isEqualTo(want == null ? 0 : want.attempt().attempt());
      }
    }
    assertThat(bits).as(at).isEqualTo(model.size());
    assertThat(s.presentWord(-1)).isZero();
    assertThat(s.attemptOf(-1)).isZero();
  }
}
