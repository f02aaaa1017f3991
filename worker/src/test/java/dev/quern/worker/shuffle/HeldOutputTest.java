package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small map output run through {@link PipelineTaskRunner} in local mode is held by the host's
 * index cache and its files are never created, while the cache keeps it: reduces read it from
 * memory. The files are written, the same bytes a map that writes them writes, when the output
 * leaves the cache or when a read wants the file (a read by ref, or a reduce with no memory to
 * copy a partition into); an output whose scratch directory is gone is lost as a deleted file
 * is. Every output is checked against the same map run with no cache, which writes its files as
 * before.
 */
@ExtendWith(Seeds.class)
class HeldOutputTest {
  @TempDir Path dir;

  private static final String JOB = "job-0007";
  private static final int PARTITIONS = 7;

  private JobSpec job;
  private final List<Path> inputs = new ArrayList<>();

  /** {@code maps} input files of random words, and the job over them. */
  private void inputs(SplittableRandom rnd, int maps) throws Exception {
    for (int m = 0; m < maps; m++) {
      Path in = dir.resolve("in-" + m + ".txt");
      List<String> lines = new ArrayList<>();
      int n = 20 + rnd.nextInt(200);
      for (int i = 0; i < n; i++) {
        lines.add("w" + rnd.nextInt(400) + " x" + rnd.nextInt(30) + " common");
      }
      Files.write(in, lines);
      inputs.add(in);
    }
    job = Job.builder("held").input(dir.toString()).output(dir.resolve("out").toString())
        .mapper(WordCount.TokenizerMapper.class).combiner(WordCount.SumReducer.class)
        .reducer(WordCount.SumReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(PARTITIONS).build().spec();
  }

  private MapOutputRef runMap(PipelineTaskRunner runner, int map, int attempt, String scratch)
      throws Exception {
    TaskAttemptId id = new TaskAttemptId(JOB, TaskKind.MAP, map, attempt);
    Path in = inputs.get(map);
    return runner.run(new MapTaskSpec(id, job, new FileSplit(in.toString(), 0, Files.size(in),
        List.of()), dir.resolve(scratch).toString(), dir.resolve("w").toString()),
        getClass().getClassLoader(), TaskProgress.NONE).mapOutput();
  }

  /** The map outputs as a map with no cache writes them: data file bytes and index, by map. */
  private List<Written> reference(int maps) throws Exception {
    PipelineTaskRunner plain = new PipelineTaskRunner("localhost", new LocalShuffleSource(0));
    List<Written> out = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      MapOutputRef ref = runMap(plain, m, 9, "reference");
      out.add(new Written(Files.readAllBytes(Path.of(ref.dataFile())),
          PartitionIndex.read(Path.of(ref.indexFile()))));
    }
    return out;
  }

  private record Written(byte[] data, PartitionIndex index) {}

  /** The files of {@code ref} say what the reference map wrote. */
  private static void assertFilesAre(MapOutputRef ref, Written want) throws Exception {
    assertThat(Files.readAllBytes(Path.of(ref.dataFile()))).isEqualTo(want.data());
    PartitionIndex got = PartitionIndex.read(Path.of(ref.indexFile()));
    assertThat(got.compressed()).isEqualTo(want.index().compressed());
    assertThat(got.partitions()).isEqualTo(want.index().partitions());
    for (int p = 0; p < got.partitions(); p++) {
      IndexEntry g = got.entry(p);
      IndexEntry w = want.index().entry(p);
      assertThat(new long[] {g.rawLength(), g.storedLength(), g.crc()}).as("partition %d", p)
          .containsExactly(w.rawLength(), w.storedLength(), w.crc());
      if (w.storedLength() != 0) {
        assertThat(g.offset()).as("partition %d", p).isEqualTo(w.offset());
      }
    }
  }

  /** A reduce of every partition gets each output's stored bytes as the reference wrote them. */
  private void assertReducesRead(LocalShuffleSource source, List<MapOutputRef> refs,
      List<Written> want) throws Exception {
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 64L << 20);
    for (int p = 0; p < PARTITIONS; p++) {
      List<SortedRun> runs = fetcher.fetchAsTheyCome(new MapOutputFeed(refs), refs.size(), p,
          new TaskAttemptId(JOB, TaskKind.REDUCE, p, 1), held -> { });
      assertThat(runs).hasSize(refs.size());
      assertRunsHold(runs, want, p, SortedRun.InMemory.class);
    }
  }

  /**
   * Each map's run of partition {@code p} is a {@code kind} run (when not empty) holding that
   * partition's stored bytes of the reference output.
   */
  private static void assertRunsHold(List<SortedRun> runs, List<Written> want, int p,
      Class<? extends SortedRun> kind) throws Exception {
    for (int m = 0; m < want.size(); m++) {
      IndexEntry e = want.get(m).index().entry(p);
      SortedRun run = runs.get(m);
      assertThat(run.storedLength()).as("partition %d of map %d", p, m)
          .isEqualTo(e.storedLength());
      if (e.storedLength() != 0) {
        assertThat(run).as("partition %d of map %d", p, m).isInstanceOf(kind);
        assertThat(storedBytes(run)).as("partition %d of map %d", p, m)
            .isEqualTo(Arrays.copyOfRange(want.get(m).data(), (int) e.offset(),
                (int) (e.offset() + e.storedLength())));
      }
    }
  }

  /** Runs maps 0 to {@code maps - 1} (attempt 1) with {@code source}; their refs in order. */
  private List<MapOutputRef> runMaps(LocalShuffleSource source, int maps) throws Exception {
    PipelineTaskRunner runner = new PipelineTaskRunner("localhost", source);
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      refs.add(runMap(runner, m, 1, "scratch"));
    }
    return refs;
  }

  /** A run's stored bytes: its array, or its range of its file. */
  private static byte[] storedBytes(SortedRun run) throws Exception {
    if (run instanceof SortedRun.InPlace in) {
      byte[] file = Files.readAllBytes(in.file());
      return Arrays.copyOfRange(file, (int) in.offset(), (int) (in.offset() + in.storedLength()));
    }
    return ((SortedRun.InMemory) run).bytes();
  }

  @Test
  void aSmallOutputIsHeldWithoutFilesAndReadFromMemory(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int maps = 5;
    inputs(rnd, maps);
    List<Written> want = reference(maps);
    LocalShuffleSource source = new LocalShuffleSource();
    List<MapOutputRef> refs = runMaps(source, maps);
    for (int m = 0; m < maps; m++) {
      MapOutputRef ref = refs.get(m);
      assertThat(Path.of(ref.dataFile())).as("map %d's data file", m).doesNotExist();
      assertThat(Path.of(ref.indexFile())).as("map %d's index file", m).doesNotExist();
      MapOutputIndexCache.Kept k = source.kept(JOB, m, 1);
      assertThat(k).isNotNull();
      assertThat(k.unwritten()).isTrue();
      assertThat(k.data()).isEqualTo(want.get(m).data());
    }
    assertThat(source.indexCache().mapsWithData(JOB)).isNotNull();
    assertReducesRead(source, refs, want);
    for (MapOutputRef ref : refs) {
      assertThat(Path.of(ref.dataFile())).as("read from memory: still no file").doesNotExist();
    }
  }

  @Test
  void anOutputLeavingTheCacheIsWrittenFirst(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int maps = 12;
    inputs(rnd, maps);
    List<Written> want = reference(maps);
    long largest = want.stream().mapToLong(w -> w.data().length).max().orElseThrow();
    // Room for about three outputs: the earlier ones leave as the later ones come.
    LocalShuffleSource source = new LocalShuffleSource(3 * (largest + 600));
    List<MapOutputRef> refs = runMaps(source, maps);
    assertThat(source.indexCache().evictions()).isGreaterThan(0);
    int written = 0;
    for (int m = 0; m < maps; m++) {
      MapOutputRef ref = refs.get(m);
      MapOutputIndexCache.Kept k = source.kept(JOB, m, 1);
      if (k == null) {
        assertFilesAre(ref, want.get(m));
        written++;
      } else {
        assertThat(Files.exists(Path.of(ref.indexFile()))).isEqualTo(!k.unwritten());
      }
    }
    assertThat(written).as("outputs that left the cache").isGreaterThan(0);
    assertReducesRead(source, refs, want);
  }

  @Test
  void aReduceWithNoShuffleMemoryHasTheFilesWrittenAndReadsThem(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int maps = 4;
    inputs(rnd, maps);
    List<Written> want = reference(maps);
    LocalShuffleSource source = new LocalShuffleSource();
    List<MapOutputRef> refs = runMaps(source, maps);
    // No memory to copy a partition into: each is verified and merged where it lies, so the
    // held outputs are written first, and the runs read their files.
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 0);
    for (int p = 0; p < PARTITIONS; p++) {
      List<SortedRun> runs = fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, p,
          new TaskAttemptId(JOB, TaskKind.REDUCE, p, 1), held -> { });
      assertRunsHold(runs, want, p, SortedRun.InPlace.class);
    }
    for (int m = 0; m < maps; m++) {
      assertFilesAre(refs.get(m), want.get(m));
      assertThat(source.kept(JOB, m, 1).unwritten()).isFalse();
    }
  }

  @Test
  void aReadOfTheFileWritesItFirst(Seed seed) throws Exception {
    inputs(seed.random(), 1);
    List<Written> want = reference(1);
    LocalShuffleSource source = new LocalShuffleSource();
    MapOutputRef ref = runMap(new PipelineTaskRunner("localhost", source), 0, 1, "scratch");
    assertThat(Path.of(ref.indexFile())).doesNotExist();
    // A read by ref (as a fetch through the source's open would) wants the file.
    InPlaceSource.Location at = source.locate(ref, 0);
    assertThat(at.file()).exists();
    assertFilesAre(ref, want.get(0));
    assertThat(source.kept(JOB, 0, 1).unwritten()).isFalse();
  }

  @Test
  void anOutputWhoseScratchDirectoryIsGoneIsLost(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    inputs(rnd, 3);
    List<Written> want = reference(3);
    long largest = want.stream().mapToLong(w -> w.data().length).max().orElseThrow();
    LocalShuffleSource source = new LocalShuffleSource(largest + 600);
    PipelineTaskRunner runner = new PipelineTaskRunner("localhost", source);
    MapOutputRef first = runMap(runner, 0, 1, "scratch-a");
    assertThat(source.kept(JOB, 0, 1)).isNotNull();
    // The job's scratch directory goes (as at the job's end); the next output pushes it out.
    try (var files = Files.list(dir.resolve("scratch-a"))) {
      assertThat(files).isEmpty();
    }
    Files.delete(dir.resolve("scratch-a"));
    runMap(runner, 1, 1, "scratch-b");
    runMap(runner, 2, 1, "scratch-b");
    assertThat(source.kept(JOB, 0, 1)).isNull();
    assertThatThrownBy(() -> source.locate(JOB, first, 0))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("does not exist");
  }
}
