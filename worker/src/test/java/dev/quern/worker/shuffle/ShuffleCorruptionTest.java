package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.testjobs.WordCount;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** A damaged map output must be reported as lost, naming the attempt and partition. */
class ShuffleCorruptionTest {
  private static final int PARTITION = 1;

  @TempDir Path tmp;

  private MapOutputRef runMap(JobSpec job, Path input) throws Exception {
    TaskAttemptId id = new TaskAttemptId("job-9", TaskKind.MAP, 0, 3);
    // No index cache on the map's side: its output is written to files (a held one would have
    // none to damage), and the reduces below read them through sources of their own.
    PipelineTaskRunner writesFiles = new PipelineTaskRunner("localhost", new LocalShuffleSource(0));
    return writesFiles.run(new MapTaskSpec(id, job,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        tmp.resolve("scratch").toString(), tmp.resolve("w").toString()),
        getClass().getClassLoader(), TaskProgress.NONE).mapOutput();
  }

  /**
   * @param inPlace read the map output where it lies ({@link LocalShuffleSource}); otherwise
   *     through a source that only streams, as a remote one would, so the fetcher copies it
   */
  private void runReduce(JobSpec job, MapOutputRef ref, boolean inPlace) throws Exception {
    TaskAttemptId id = new TaskAttemptId("job-9", TaskKind.REDUCE, PARTITION, 1);
    LocalShuffleSource local = new LocalShuffleSource();
    ShuffleSource source = inPlace ? local : local::open;
    new PipelineTaskRunner("localhost", source).run(new ReduceTaskSpec(id, job, PARTITION, List.of(ref),
        tmp.resolve("rscratch").toString(), tmp.resolve("r").toString()),
        getClass().getClassLoader(), TaskProgress.NONE);
  }

  @ParameterizedTest(name = "{0} compress={1} inMemory={2} inPlace={3}")
  @CsvSource({"flip,true,true,false", "flip,false,false,false", "flip,true,false,false",
      "truncate,true,true,false", "truncate,false,false,false", "delete,true,true,false",
      "deleteIndex,false,true,false", "corruptIndex,true,true,false", "flip,true,false,true",
      "flip,false,false,true", "truncate,true,false,true", "truncate,false,false,true",
      "delete,false,false,true", "deleteIndex,true,false,true", "corruptIndex,false,false,true"})
  void damagedOutputIsLost(String damage, boolean compress, boolean inMemory, boolean inPlace)
      throws Exception {
    Path input = tmp.resolve("in.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      lines.add("alpha beta gamma delta w" + i + " x" + (i % 97));
    }
    Files.write(input, lines);
    JobSpec job = Job.builder("crc").input(input.toString()).output(tmp.resolve("out").toString())
        .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(3)
        .set(DataPathConfig.COMPRESS, Boolean.toString(compress))
        .set(DataPathConfig.SHUFFLE_MEMORY, inMemory ? "64m" : "0")
        // A streamed fetch retries a damaged output before it reports it lost.
        .set(FetchConfig.RETRY_BACKOFF_MS, "1").build().spec();
    MapOutputRef ref = runMap(job, input);
    runReduce(job, ref, inPlace); // intact output reduces fine
    PartitionIndex index = PartitionIndex.read(Path.of(ref.indexFile()));
    IndexEntry e = index.entry(PARTITION);
    assertThat(e.storedLength()).isGreaterThan(100);
    Path data = Path.of(ref.dataFile());
    switch (damage) {
      case "flip" -> {
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
          long at = e.offset() + e.storedLength() / 2;
          f.seek(at);
          int b = f.read();
          f.seek(at);
          f.write(b ^ 0x10);
        }
      }
      case "truncate" -> {
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
          f.setLength(e.offset() + e.storedLength() - 7);
        }
      }
      case "delete" -> Files.delete(data);
      case "deleteIndex" -> Files.delete(Path.of(ref.indexFile()));
      case "corruptIndex" -> {
        byte[] b = Files.readAllBytes(Path.of(ref.indexFile()));
        b[20] ^= 1;
        Files.write(Path.of(ref.indexFile()), b);
      }
      default -> throw new AssertionError(damage);
    }
    assertThatThrownBy(() -> runReduce(job, ref, inPlace))
        .isInstanceOfSatisfying(MapOutputLostException.class, ex -> {
          assertThat(ex.partition()).isEqualTo(PARTITION);
          assertThat(ex.output()).isEqualTo(ref);
          assertThat(ex.getMessage()).contains("job-9/m-00000/3").contains("partition 1");
        });
    // The failed reduce left no scratch files behind.
    try (var s = Files.list(tmp.resolve("rscratch"))) {
      assertThat(s.toList()).isEmpty();
    }
  }
}
