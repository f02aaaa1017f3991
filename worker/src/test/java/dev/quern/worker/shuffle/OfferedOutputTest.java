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
import dev.quern.worker.spill.MapOutputWriter;
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
import java.nio.charset.StandardCharsets;
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
 * A map output offered by the attempt that wrote it ({@link InPlaceSource#offer}) is kept as a
 * reduce's first read would keep it: its partitions answer as its index file does, and a reduce
 * reads them with the index file gone (so it was not read). With no cache, or a data file that
 * cannot be read, nothing is kept and the reads report what is wrong as before. A map run through
 * {@link PipelineTaskRunner} whose output is too large to hold unwritten writes it and offers it
 * to the runner's source.
 */
@ExtendWith(Seeds.class)
class OfferedOutputTest {
  @TempDir Path dir;

  private static final String JOB = "job-0005";

  /** Writes map {@code map}'s output; returns its ref and the index as written. */
  private MapOutputRef write(SplittableRandom rnd, int map, int partitions, int share,
      List<PartitionIndex> indexes) throws Exception {
    TaskAttemptId id = new TaskAttemptId(JOB, TaskKind.MAP, map, 1);
    Path data = dir.resolve(id.dirName() + ".out");
    Path index = dir.resolve(id.dirName() + ".index");
    PartitionIndex written;
    try (MapOutputWriter w = new MapOutputWriter(data, partitions, rnd.nextBoolean())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        if (share > 0 && rnd.nextInt(share) == 0) {
          int n = 1 + rnd.nextInt(4);
          for (int i = 0; i < n; i++) {
            byte[] k = String.format("p%04d-m%03d-%d", p, map, i)
                .getBytes(StandardCharsets.UTF_8);
            w.write(k, 0, k.length, k, 0, k.length);
          }
        }
        w.endPartition();
      }
      written = w.finish();
    }
    written.write(index);
    indexes.add(written);
    return new MapOutputRef(map, id, "localhost", data.toString(), index.toString());
  }

  @Test
  void anOfferedOutputIsReadWithoutItsIndexFile(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int partitions = 300;
    int maps = 12;
    List<MapOutputRef> refs = new ArrayList<>();
    List<PartitionIndex> written = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      refs.add(write(rnd, m, partitions, 1 + m % 4 * 20, written));
    }
    // What the index files say, read independently before they go.
    List<PartitionIndex> onDisk = new ArrayList<>();
    List<byte[]> dataFiles = new ArrayList<>();
    for (MapOutputRef ref : refs) {
      onDisk.add(PartitionIndex.read(Path.of(ref.indexFile())));
      dataFiles.add(Files.readAllBytes(Path.of(ref.dataFile())));
    }
    LocalShuffleSource source = new LocalShuffleSource();
    for (int m = 0; m < maps; m++) {
      source.offer(refs.get(m), written.get(m));
      Files.delete(Path.of(refs.get(m).indexFile()));
    }
    for (int m = 0; m < maps; m++) {
      MapOutputRef ref = refs.get(m);
      MapOutputIndexCache.Kept k = source.kept(JOB, m, 1);
      assertThat(k).as("map %d", m).isNotNull();
      assertThat(k.data()).as("a small output's data, held").isEqualTo(dataFiles.get(m));
      for (int p = 0; p < partitions; p++) {
        IndexEntry e = onDisk.get(m).entry(p);
        InPlaceSource.Location at = source.locate(JOB, ref, p);
        String what = "map " + m + " partition " + p;
        assertThat(at.storedLength()).as(what).isEqualTo(e.storedLength());
        assertThat(at.rawLength()).as(what).isEqualTo(e.rawLength());
        assertThat(at.checksum()).as(what).isEqualTo(e.crc());
        if (e.storedLength() != 0) {
          assertThat(at.offset()).as(what).isEqualTo(e.offset());
        }
      }
    }
    // A reduce gets each partition's stored bytes as the data file has them.
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 64L << 20);
    for (int p = 0; p < 4; p++) {
      List<SortedRun> runs = fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, p,
          new TaskAttemptId(JOB, TaskKind.REDUCE, p, 1), held -> { });
      assertThat(runs).hasSize(maps);
      for (int m = 0; m < maps; m++) {
        IndexEntry e = onDisk.get(m).entry(p);
        assertThat(runs.get(m).storedLength()).as("partition %d of map %d", p, m)
            .isEqualTo(e.storedLength());
        if (e.storedLength() != 0) {
          assertThat(((SortedRun.InMemory) runs.get(m)).bytes())
              .as("partition %d of map %d", p, m)
              .isEqualTo(Arrays.copyOfRange(dataFiles.get(m), (int) e.offset(),
                  (int) (e.offset() + e.storedLength())));
        }
      }
    }
  }

  @Test
  void nothingIsKeptWithNoCacheOrNoDataFile(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    List<PartitionIndex> written = new ArrayList<>();
    MapOutputRef a = write(rnd, 0, 50, 2, written);
    MapOutputRef b = write(rnd, 1, 50, 2, written);

    LocalShuffleSource none = new LocalShuffleSource(0);
    none.offer(a, written.get(0));
    assertThat(none.kept(JOB, 0, 1)).isNull();
    Files.delete(Path.of(a.indexFile()));
    assertThatThrownBy(() -> none.locate(JOB, a, 3))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("does not exist");

    LocalShuffleSource source = new LocalShuffleSource();
    Files.delete(Path.of(b.dataFile()));
    source.offer(b, written.get(1));
    assertThat(source.kept(JOB, 1, 1)).isNull();
    assertThatThrownBy(() -> source.locate(JOB, b, 3))
        .isInstanceOf(MapOutputLostException.class)
        .hasMessageContaining("data file " + b.dataFile() + " does not exist");
  }

  @Test
  void aMapRunByTheRunnerOffersItsOutput() throws Exception {
    Path input = dir.resolve("in.txt");
    List<String> lines = new ArrayList<>();
    // Too much output to be held unwritten (HeldOutputTest): written, then offered.
    for (int i = 0; i < 8000; i++) {
      lines.add("alpha beta w" + i + " x" + (i % 13));
    }
    Files.write(input, lines);
    JobSpec job = Job.builder("offer").input(input.toString())
        .output(dir.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
        .reducer(WordCount.SumReducer.class).mapOutput(String.class, Long.class).reduceTasks(5)
        .build().spec();
    LocalShuffleSource source = new LocalShuffleSource();
    TaskAttemptId id = new TaskAttemptId(JOB, TaskKind.MAP, 2, 1);
    MapOutputRef ref = new PipelineTaskRunner("localhost", source).run(new MapTaskSpec(id, job,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        dir.resolve("scratch").toString(), dir.resolve("w").toString()),
        getClass().getClassLoader(), TaskProgress.NONE).mapOutput();
    MapOutputIndexCache.Kept k = source.kept(JOB, 2, 1);
    assertThat(k).isNotNull();
    PartitionIndex onDisk = PartitionIndex.read(Path.of(ref.indexFile()));
    assertThat(k.partitions()).isEqualTo(5);
    for (int p = 0; p < 5; p++) {
      int slot = k.slot(p);
      assertThat(slot).as("partition %d has words", p).isNotNegative();
      assertThat(k.storedLength(slot)).isEqualTo(onDisk.entry(p).storedLength());
      assertThat(k.checksum(slot)).isEqualTo(onDisk.entry(p).crc());
    }
    assertThat(Files.size(Path.of(ref.dataFile())))
        .isGreaterThan(LocalShuffleSource.SMALL_OUTPUT_BYTES);
    assertThat(k.unwritten()).isFalse();
    assertThat(k.data()).as("a large output's data stays in its file").isNull();
  }
}
