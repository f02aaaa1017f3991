package dev.quern.master.local;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.Partitioner;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A small, in-memory task runner for control-plane tests that must not depend on the data path:
 * Java-serialized partitions with a CRC each in an index file, natural key order, no combiner.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class SimpleTaskRunner implements TaskRunner {

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader loader, TaskProgress progress)
      throws Exception {
    return spec instanceof MapTaskSpec m ? map(m, loader) : reduce((ReduceTaskSpec) spec, loader);
  }

  private TaskResult map(MapTaskSpec spec, ClassLoader loader) throws Exception {
    JobSpec job = spec.job();
    Configuration conf = job.configuration();
    Counters counters = new Counters();
    InputFormat in = (InputFormat) create(loader, job.inputFormat());
    Mapper mapper = (Mapper) create(loader, job.mapper());
    int reduces = job.reduceTasks();
    List<TreeMap<Object, List<Object>>> parts = new ArrayList<>();
    for (int i = 0; i < reduces; i++) {
      parts.add(new TreeMap<>());
    }
    Partitioner partitioner = (Partitioner) create(loader, job.partitioner());
    RecordWriter writer = null;
    if (reduces == 0) {
      Path work = Files.createDirectories(Path.of(spec.outputWorkDir()));
      writer = ((OutputFormat) create(loader, job.outputFormat()))
          .open(work, String.format("part-m-%05d", spec.id().taskIndex()), conf);
    }
    RecordWriter out = writer;
    Context ctx = context(spec, counters, conf, (k, v) -> {
      counters.increment(TaskCounter.MAP_OUTPUT_RECORDS, 1);
      if (out != null) {
        out.write(k, v);
        counters.increment(TaskCounter.OUTPUT_RECORDS, 1);
      } else {
        parts.get(partitioner.partition(k, reduces)).computeIfAbsent(k, x -> new ArrayList<>())
            .add(v);
      }
    });
    try (RecordReader r = in.open(spec.split(), conf)) {
      mapper.setup(ctx);
      while (r.next()) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        counters.increment(TaskCounter.MAP_INPUT_RECORDS, 1);
        mapper.map(r.key(), r.value(), ctx);
      }
      mapper.cleanup(ctx);
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
    if (reduces == 0) {
      return new TaskResult(spec.id(), counters, null);
    }
    Path dir = Files.createDirectories(Path.of(spec.scratchDir()));
    Path data = dir.resolve("map.data");
    Path index = dir.resolve("map.index");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    StringBuilder idx = new StringBuilder();
    for (TreeMap<Object, List<Object>> p : parts) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (ObjectOutputStream o = new ObjectOutputStream(b)) {
        o.writeObject(p);
      }
      CRC32 crc = new CRC32();
      crc.update(b.toByteArray());
      idx.append(all.size()).append(' ').append(b.size()).append(' ').append(crc.getValue())
          .append('\n');
      all.write(b.toByteArray());
    }
    Files.write(data, all.toByteArray());
    Files.writeString(index, idx);
    return new TaskResult(spec.id(), counters, new MapOutputRef(spec.id().taskIndex(), spec.id(),
        "localhost", data.toString(), index.toString()));
  }

  private TaskResult reduce(ReduceTaskSpec spec, ClassLoader loader) throws Exception {
    JobSpec job = spec.job();
    Configuration conf = job.configuration();
    Counters counters = new Counters();
    TreeMap<Object, List<Object>> merged = new TreeMap<>();
    for (MapOutputRef ref : spec.inputs()) {
      for (Map.Entry<Object, List<Object>> e : read(ref, spec.partition()).entrySet()) {
        merged.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).addAll(e.getValue());
      }
    }
    Path work = Files.createDirectories(Path.of(spec.outputWorkDir()));
    Reducer reducer = job.reducer() == null ? null : (Reducer) create(loader, job.reducer());
    try (RecordWriter w = ((OutputFormat) create(loader, job.outputFormat()))
        .open(work, String.format("part-r-%05d", spec.partition()), conf)) {
      Context ctx = context(spec, counters, conf, (k, v) -> {
        w.write(k, v);
        counters.increment(TaskCounter.OUTPUT_RECORDS, 1);
      });
      if (reducer != null) {
        reducer.setup(ctx);
      }
      for (Map.Entry<Object, List<Object>> e : merged.entrySet()) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        counters.increment(TaskCounter.REDUCE_INPUT_GROUPS, 1);
        counters.increment(TaskCounter.REDUCE_INPUT_RECORDS, e.getValue().size());
        if (reducer == null) {
          for (Object v : e.getValue()) {
            ctx.emit(e.getKey(), v);
          }
        } else {
          reducer.reduce(e.getKey(), e.getValue(), ctx);
        }
      }
      if (reducer != null) {
        reducer.cleanup(ctx);
      }
    }
    return new TaskResult(spec.id(), counters, null);
  }

  private static TreeMap<Object, List<Object>> read(MapOutputRef ref, int partition)
      throws Exception {
    String[] entry;
    byte[] data;
    try {
      entry = Files.readAllLines(Path.of(ref.indexFile())).get(partition).split(" ");
      data = Files.readAllBytes(Path.of(ref.dataFile()));
    } catch (IOException e) {
      throw new MapOutputLostException(ref, partition, e.toString());
    }
    int off = Integer.parseInt(entry[0]);
    int len = Integer.parseInt(entry[1]);
    CRC32 crc = new CRC32();
    crc.update(data, off, len);
    if (crc.getValue() != Long.parseLong(entry[2])) {
      throw new MapOutputLostException(ref, partition, "checksum mismatch");
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data, off, len))) {
      return (TreeMap<Object, List<Object>>) in.readObject();
    }
  }

  interface Emit {
    void emit(Object k, Object v) throws IOException;
  }

  private static Context context(TaskSpec spec, Counters counters, Configuration conf,
      Emit emit) {
    return new Context() {
      @Override
      public void emit(Object key, Object value) {
        try {
          emit.emit(key, value);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public Configuration configuration() {
        return conf;
      }

      @Override
      public Counter counter(String group, String name) {
        return new Counter() {
          @Override
          public void increment(long delta) {
            counters.increment(group, name, delta);
          }

          @Override
          public long value() {
            return counters.get(group, name);
          }
        };
      }

      @Override
      public void progress() {}

      @Override
      public String attemptId() {
        return spec.id().toString();
      }

      @Override
      public int taskIndex() {
        return spec.id().taskIndex();
      }

      @Override
      public int reduceTasks() {
        return spec.job().reduceTasks();
      }
    };
  }

  private static Object create(ClassLoader loader, String name) throws Exception {
    return Class.forName(name, true, loader).getConstructor().newInstance();
  }
}
