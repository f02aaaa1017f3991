package dev.quern.worker.reduce;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Configuration;
import dev.quern.api.JobSpec;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordWriter;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.EngineIOException;
import dev.quern.worker.runner.MapOutputTypes;
import dev.quern.worker.runner.ProgressTracker;
import dev.quern.worker.runner.TaskContext;
import dev.quern.worker.runner.UserClasses;
import dev.quern.worker.shuffle.FetchConfig;
import dev.quern.worker.shuffle.ShuffleFetcher;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one reduce attempt: fetch and verify this partition of every map output (as the maps
 * finish, for a reduce started early), merge (in passes when there are more runs than the merge
 * factor), group, reduce, write.
 */
public final class ReduceTask {
  /** The share of a reduce's progress that its shuffle (fetching) phase covers. */
  static final float SHUFFLE_END = 0.3f;
  private static final float MERGE_END = 0.4f;

  private ReduceTask() {}

  public static TaskResult run(ReduceTaskSpec spec, UserClasses classes, ProgressTracker progress,
      ShuffleSource source) throws Exception {
    return run(spec, classes, progress, source, null);
  }

  /**
   * As {@link #run(ReduceTaskSpec, UserClasses, ProgressTracker, ShuffleSource)}; with a {@code
   * feed} (null: the spec's inputs, which must be complete), the map outputs are fetched as the
   * feed learns of them, and merging waits until one per map is held.
   */
  @SuppressWarnings("unchecked")
  public static TaskResult run(ReduceTaskSpec spec, UserClasses classes, ProgressTracker progress,
      ShuffleSource source, MapOutputFeed feed) throws Exception {
    if (feed == null && !spec.complete()) {
      throw new IllegalArgumentException("reduce " + spec.id() + " has " + spec.inputs().size()
          + " of " + spec.mapCount() + " map outputs and no way to learn of the others");
    }
    JobSpec job = spec.job();
    Configuration conf = job.configuration();
    DataPathConfig cfg = DataPathConfig.from(conf);
    AttemptCounters counters = new AttemptCounters();
    MapOutputTypes<Object, Object> types = MapOutputTypes.of(job, classes);
    Reducer<Object, Object, Object, Object> reducer = job.reducer() == null ? null
        : classes.create(job.reducer(), Reducer.class, "reducer");
    OutputFormat<Object, Object> outputFormat =
        classes.create(job.outputFormat(), OutputFormat.class, "output format");
    Path scratch = Path.of(spec.scratchDir());
    if (!Files.isDirectory(scratch)) { // shared by the job's tasks: see MapTask
      Files.createDirectories(scratch);
    }
    String workDir = spec.outputWorkDir();
    OutputLayout.createUnderTemporary(FileSystems.get(workDir, conf), workDir);

    List<SortedRun> runs = new ArrayList<>();
    try {
      progress.phase(0f, SHUFFLE_END);
      ShuffleFetcher fetcher = new ShuffleFetcher(source, scratch, spec.id().dirName(),
          cfg.shuffleMemory(), FetchConfig.from(conf));
      float maps = Math.max(1, spec.mapCount());
      if (feed == null) {
        int[] done = new int[1];
        runs.addAll(fetcher.fetchAll(spec.inputs(), spec.partition(), spec.id(),
            () -> progress.set(++done[0] / maps)));
      } else {
        runs.addAll(fetcher.fetchAsTheyCome(feed, spec.mapCount(), spec.partition(), spec.id(),
            held -> progress.set(Math.min(1f, held / maps))));
      }
      for (SortedRun run : runs) {
        counters.add(TaskCounter.SHUFFLE_BYTES, run.storedLength());
      }
      // Empty partitions (most, with small maps and many reduces) hold nothing to merge.
      runs.removeIf(r -> r.rawLength() == 0 && r instanceof SortedRun.InMemory);
      progress.phase(SHUFFLE_END, MERGE_END);
      // Runs held in memory go to the final merge as they are while their readers' buffers take
      // at most a quarter of the runs' own budget (16 MiB by default: thousands of small runs).
      RunMerger merger = new RunMerger(spec.id(), types.order(), cfg.mergeFactor(),
          cfg.compress(), scratch, cfg.shuffleMemory() / 4);
      List<SortedRun> finalRuns = merger.reduceToFactor(runs);
      runs = new ArrayList<>(finalRuns);
      counters.add(TaskCounter.SPILLED_RECORDS, merger.recordsWritten());

      progress.phase(MERGE_END, 1f);
      long totalRaw = runs.stream().mapToLong(SortedRun::rawLength).sum();
      List<RecordStream> streams = new ArrayList<>();
      for (SortedRun r : runs) {
        streams.add(r.open());
      }
      String baseName = String.format("part-r-%05d", spec.partition());
      try (ProgressStream in = new ProgressStream(new MergingStream(streams, types.order()));
          RecordWriter<Object, Object> writer = outputFormat.open(workDir, baseName, conf)) {
        long[] written = new long[1];
        Runnable onProgress = () -> progress.set(in.rawBytes / (float) Math.max(1, totalRaw));
        TaskContext<Object, Object> ctx = new TaskContext<>(spec.id(), job.reduceTasks(), conf,
            counters, progress, (k, v) -> {
              try {
                writer.write(k, v);
              } catch (IOException e) {
                throw new EngineIOException(e);
              }
              written[0]++;
            });
        GroupDriver<Object, Object> driver = new GroupDriver<>(spec.id(), types.keySerde(),
            types.valueSerde(), types.reduceGrouping(), onProgress);
        try {
          Reducer<Object, Object, Object, Object> r =
              reducer != null ? reducer : new IdentityReducer<>(types, in);
          r.setup(ctx);
          driver.run(in, r, ctx);
          r.cleanup(ctx);
        } catch (EngineIOException e) {
          throw e.getCause();
        }
        counters.add(TaskCounter.REDUCE_INPUT_GROUPS, driver.groups());
        counters.add(TaskCounter.REDUCE_INPUT_RECORDS, driver.records());
        counters.add(TaskCounter.OUTPUT_RECORDS, written[0]);
        counters.add(TaskCounter.OUTPUT_BYTES, writer.bytesWritten());
      }
      progress.set(1f);
      return new TaskResult(spec.id(), counters.snapshot(), null);
    } finally {
      for (SortedRun r : runs) {
        r.discard();
      }
    }
  }

  /** Counts the raw bytes that pass, for progress. */
  private static final class ProgressStream implements RecordStream {
    private final RecordStream in;
    long rawBytes;

    ProgressStream(RecordStream in) {
      this.in = in;
    }

    @Override
    public boolean next() throws IOException {
      if (!in.next()) {
        return false;
      }
      rawBytes += in.keyLen() + Math.max(0, in.valLen()) + 2;
      return true;
    }

    @Override
    public byte[] keyBuf() {
      return in.keyBuf();
    }

    @Override
    public int keyOff() {
      return in.keyOff();
    }

    @Override
    public int keyLen() {
      return in.keyLen();
    }

    @Override
    public byte[] valBuf() {
      return in.valBuf();
    }

    @Override
    public int valOff() {
      return in.valOff();
    }

    @Override
    public int valLen() {
      return in.valLen();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * No reducer: every record is written as it is, each with its own key (which matters when a
   * grouping comparator puts different keys in one group).
   */
  private static final class IdentityReducer<K, V> implements Reducer<K, V, K, V> {
    private final MapOutputTypes<K, V> types;
    private final RecordStream in;
    private final Input keyIn = new Input();

    IdentityReducer(MapOutputTypes<K, V> types, RecordStream in) {
      this.types = types;
      this.in = in;
    }

    @Override
    public void reduce(K key, Iterable<V> values, dev.quern.api.Context<K, V> ctx) {
      boolean first = true;
      for (V v : values) {
        // The stream sits on the record whose value we just got: use its own key.
        K k = key;
        if (!first) {
          keyIn.setBuffer(in.keyBuf(), in.keyOff(), in.keyLen());
          k = types.keySerde().read(keyIn);
        }
        first = false;
        ctx.emit(k, v);
      }
    }
  }
}
