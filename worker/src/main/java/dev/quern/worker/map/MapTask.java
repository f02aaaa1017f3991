package dev.quern.worker.map;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.Partitioner;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.CarriedException;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.EngineIOException;
import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.runner.MapOutputTypes;
import dev.quern.worker.runner.ProgressTracker;
import dev.quern.worker.runner.TaskContext;
import dev.quern.worker.runner.UserClasses;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskResult;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/** Runs one map attempt: read the split, call the mapper, collect or write its output. */
public final class MapTask {
  private static final float MAP_PHASE_END = 0.9f;

  private MapTask() {}

  public static TaskResult run(MapTaskSpec spec, UserClasses classes, ProgressTracker progress,
      String host) throws Exception {
    return run(spec, classes, progress, host, null);
  }

  /**
   * As {@link #run(MapTaskSpec, UserClasses, ProgressTracker, String)}; {@code handoff}, when not
   * null, is given the map output before the result is returned: the host's reduces may keep it
   * (a small one without its files ever being written) rather than read its files back.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static TaskResult run(MapTaskSpec spec, UserClasses classes, ProgressTracker progress,
      String host, MapOutputHandoff handoff) throws Exception {
    JobSpec job = spec.job();
    Configuration conf = job.configuration();
    AttemptCounters counters = new AttemptCounters();
    InputFormat<Object, Object> inputFormat =
        classes.create(job.inputFormat(), InputFormat.class, "input format");
    Mapper<Object, Object, Object, Object> mapper =
        classes.create(job.mapper(), Mapper.class, "mapper");
    progress.phase(0f, job.reduceTasks() == 0 ? 1f : MAP_PHASE_END);

    if (job.reduceTasks() == 0) {
      OutputFormat<Object, Object> outputFormat =
          classes.create(job.outputFormat(), OutputFormat.class, "output format");
      String workDir = spec.outputWorkDir();
      OutputLayout.createUnderTemporary(FileSystems.get(workDir, conf), workDir);
      long[] written = new long[1];
      try (RecordWriter<Object, Object> writer =
          outputFormat.open(workDir, "part-" + spec.id().taskName(), conf)) {
        readAndMap(spec, inputFormat, mapper, counters, progress, taskContext(spec, counters,
            progress, (k, v) -> {
              try {
                writer.write(k, v);
              } catch (IOException e) {
                throw new EngineIOException(e);
              }
              written[0]++;
            }));
        counters.add(TaskCounter.OUTPUT_BYTES, writer.bytesWritten());
      }
      counters.add(TaskCounter.MAP_OUTPUT_RECORDS, written[0]);
      counters.add(TaskCounter.OUTPUT_RECORDS, written[0]);
      progress.set(1f);
      return new TaskResult(spec.id(), counters.snapshot(), null);
    }

    DataPathConfig cfg = DataPathConfig.from(conf);
    MapOutputTypes<Object, Object> types = MapOutputTypes.of(job, classes);
    Partitioner<Object> partitioner =
        classes.create(job.partitioner(), Partitioner.class, "partitioner");
    Combiner<Object, Object> combiner = job.combiner() == null ? null
        : new Combiner<>(spec.id(), job.reduceTasks(), conf,
            () -> classes.create(job.combiner(), Reducer.class, "combiner"), types.keySerde(),
            types.valueSerde(), types.sortGrouping(), counters, progress);
    Path scratch = Path.of(spec.scratchDir());
    // A job's tasks share its scratch directory: made by the first; a stat for the others, where
    // createDirectories tries mkdir and builds an exception for the directory that exists.
    if (!Files.isDirectory(scratch)) {
      Files.createDirectories(scratch);
    }
    try (MapOutputCollector<Object, Object> collector = new MapOutputCollector<>(spec.id(), cfg,
        job.reduceTasks(), partitioner, types.keySerde(), types.valueSerde(), types.order(),
        combiner, scratch, counters)) {
      readAndMap(spec, inputFormat, mapper, counters, progress,
          new CollectingContext<>(taskContext(spec, counters, progress, (k, v) -> {
            throw new IllegalStateException("emits go to the collector");
          }), collector, types.keyClass(), types.valueClass()));
      progress.phase(MAP_PHASE_END, 1f);
      MapOutputCollector.Result out = collector.finish(handoff == null ? 0 : handoff.holdUpTo());
      progress.set(1f);
      MapOutputRef ref = new MapOutputRef(spec.id().taskIndex(), spec.id(), host,
          out.dataFile().toAbsolutePath().toString(), out.indexFile().toAbsolutePath().toString());
      if (out.held() == null || !handoff.keepUnwritten(ref, out.index(), out.held())) {
        out.write();
        if (handoff != null) {
          handoff.written(ref, out.index());
        }
      }
      return new TaskResult(spec.id(), counters.snapshot(), ref);
    }
  }

  private static TaskContext<Object, Object> taskContext(MapTaskSpec spec,
      AttemptCounters counters, ProgressTracker progress, BiConsumer<Object, Object> sink) {
    return new TaskContext<>(spec.id(), spec.job().reduceTasks(), spec.job().configuration(),
        counters, progress, sink, spec.split());
  }

  private static void readAndMap(MapTaskSpec spec, InputFormat<Object, Object> inputFormat,
      Mapper<Object, Object, Object, Object> mapper, AttemptCounters counters,
      ProgressTracker progress, Context<Object, Object> ctx) throws Exception {
    Configuration conf = spec.job().configuration();
    Interrupts.check(spec.id());
    RecordReader<Object, Object> reader = null;
    try {
      reader = inputFormat.open(spec.split(), conf);
      try (RecordReader<Object, Object> r = reader) {
        readAndMap(spec, r, mapper, counters, progress, ctx);
      }
    } catch (InterruptedException | Interrupts.Killed | ClosedByInterruptException e) {
      throw e;
    } catch (Exception e) {
      throw InputFailure.of(spec.split(), reader == null ? null : reader.position(), e);
    }
  }

  private static void readAndMap(MapTaskSpec spec, RecordReader<Object, Object> reader,
      Mapper<Object, Object, Object, Object> mapper, AttemptCounters counters,
      ProgressTracker progress, Context<Object, Object> ctx) throws Exception {
    long n = 0;
    try {
      mapper.setup(ctx);
      while (reader.next()) {
        n++;
        if ((n & 4095) == 0) {
          Interrupts.check(spec.id());
          progress.set(reader.progress());
        }
        mapper.map(reader.key(), reader.value(), ctx);
      }
      mapper.cleanup(ctx);
    } catch (EngineIOException e) {
      throw e.getCause();
    } catch (CarriedException e) {
      throw e.carried();
    } finally {
      counters.add(TaskCounter.MAP_INPUT_RECORDS, n);
      counters.add(TaskCounter.MAP_INPUT_BYTES, reader.bytesRead());
      counters.add(TaskCounter.MALFORMED_INPUT_RECORDS, reader.malformedRecords());
    }
  }
}
