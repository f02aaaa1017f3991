package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-job arrays by map index answer exactly as the cache keyed by index file does, over a
 * seeded run of puts, re-runs of maps (another attempt, other files), lookups and evictions under
 * a small budget; asked by job, map index and attempt number, an older attempt of a map than the
 * last put is not answered (a map's newer output replaces it); a job's array goes when its last
 * entry does.
 */
@ExtendWith(Seeds.class)
class MapOutputIndexCacheByMapTest {

  private static MapOutputRef ref(String job, int map, int attempt) {
    TaskAttemptId id = new TaskAttemptId(job, TaskKind.MAP, map, attempt);
    String dir = "/scratch/" + job + "/" + id.dirName();
    // New strings each time, as refs decoded from a message are.
    return new MapOutputRef(map, id, "localhost", new String(dir + "/file.out"),
        new String(dir + "/file.out.index"));
  }

  private static PartitionIndex index(SplittableRandom rnd, int partitions) {
    List<IndexEntry> entries = new ArrayList<>();
    long offset = 0;
    for (int p = 0; p < partitions; p++) {
      long stored = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(50) : 0;
      entries.add(new IndexEntry(offset, stored == 0 ? 0 : stored + 3, stored,
          stored == 0 ? 0 : rnd.nextInt(), 1));
      offset += stored;
    }
    return new PartitionIndex(false, entries);
  }

  @Test
  void arraysByMapAgreeWithTheCacheByPath(Seed seed) {
    SplittableRandom rnd = seed.random();
    // Room for a few dozen small indexes: puts past it evict.
    MapOutputIndexCache cache = new MapOutputIndexCache(40L * 300);
    String[] jobs = {"job-0001", "job-0002", "job-0003"};
    Map<String, MapOutputRef> everPut = new LinkedHashMap<>();
    // The last attempt put of each job's map: the array holds one output per map, the newest.
    Map<String, Integer> newest = new HashMap<>();
    int gets = 0;
    for (int step = 0; step < 3000; step++) {
      String job = jobs[rnd.nextInt(jobs.length)];
      int map = rnd.nextInt(60);
      int attempt = 1 + rnd.nextInt(3);
      MapOutputRef r = ref(job, map, attempt);
      if (rnd.nextInt(3) == 0) {
        MapOutputIndexCache.Kept k = cache.put(r, index(rnd, 1 + rnd.nextInt(40)), null);
        everPut.put(r.indexFile(), r);
        newest.put(job + "/" + map, attempt);
        if (cache.peek(r.indexFile(), r.dataFile()) != null) {
          assertThat(cache.get(r)).as("step %d: just put %s", step, r).isSameAs(k);
        }
      } else {
        MapOutputIndexCache.Kept byPath = cache.peek(r.indexFile(), r.dataFile());
        assertThat(cache.get(r)).as("step %d: %s", step, r).isSameAs(byPath);
        assertThat(cache.peek(r)).isSameAs(byPath);
        if (Integer.valueOf(attempt).equals(newest.get(job + "/" + map))) {
          assertThat(cache.get(job, r)).isSameAs(byPath);
        } else {
          assertThat(cache.get(job, r)).as("an older attempt's output").isNull();
        }
        gets++;
      }
      // Every ref ever put: the array answers as the cache by path does.
      Set<String> jobsHeld = new HashSet<>();
      for (MapOutputRef e : everPut.values()) {
        MapOutputIndexCache.Kept byPath = cache.peek(e.indexFile(), e.dataFile());
        assertThat(cache.peek(e)).as("step %d: %s", step, e).isSameAs(byPath);
        // As a reduce of the job asks: its job's name, one string or a new one each time.
        String asked = step % 2 == 0 ? e.attempt().jobId() : new String(e.attempt().jobId());
        boolean isNewest = Integer.valueOf(e.attempt().attempt())
            .equals(newest.get(e.attempt().jobId() + "/" + e.mapIndex()));
        assertThat(cache.peek(asked, e)).as("step %d: %s by job", step, e)
            .isSameAs(isNewest ? byPath : null);
        if (byPath != null) {
          jobsHeld.add(e.attempt().jobId());
        }
      }
      assertThat(cache.jobsByMap()).as("step %d: jobs with arrays", step)
          .isEqualTo(jobsHeld.size());
      assertThat(cache.bytesUsed()).isLessThanOrEqualTo(cache.budget());
    }
    assertThat(gets).isPositive();
    assertThat(cache.evictions()).as("the budget was reached").isPositive();
  }

  @Test
  void anotherDataFileOfTheSameAttemptIsNotAnswered() {
    MapOutputIndexCache cache = new MapOutputIndexCache(1 << 20);
    MapOutputRef r = ref("job-0001", 3, 1);
    PartitionIndex whole = index(new SplittableRandom(7), 10);
    MapOutputIndexCache.Kept k = cache.put(r, whole, null);
    assertThat(cache.get(ref("job-0001", 3, 1))).isSameAs(k);
    assertThat(cache.get(new MapOutputRef(3, r.attempt(), "localhost", "/elsewhere",
        r.indexFile()))).isNull();
    assertThat(cache.get(ref("job-0001", 3, 2))).as("another attempt").isNull();
    assertThat(cache.get(ref("job-0002", 3, 1))).as("another job").isNull();
  }
}
