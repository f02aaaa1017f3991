package dev.quern.worker.cluster;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.OpaqueSplit;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of {@link ClusterWire}'s attempt messages in {@link DataOutputStream} form: task
 * specs, attempt ids, counters, map output references. Strings are nullable and unbounded (a
 * stack trace may pass 64 KiB); enums travel as explicit codes; every count is checked before
 * anything is allocated. A map task's split travels as a {@link FileSplit} (task code 1) or, for
 * a split of any other class, as an {@link OpaqueSplit} (task code 4; 2 and 3 are reduces): Kryo bytes plus its
 * length, hosts and description, which only the attempt reads back, with the job's class loader
 * ({@link OpaqueSplit#readIn}). Code 1 is the layout of the first version, so both read it.
 */
public final class TaskSpecCodec {
  private static final int MAX_COUNT = 1_000_000;
  private static final int MAX_STRING = 64 << 20;

  private TaskSpecCodec() {}

  /**
   * Writes {@code spec}. A map task's split that is neither a {@link FileSplit} nor an {@link
   * OpaqueSplit} is written as the latter, with the class loader of its own class.
   */
  public static void writeTask(DataOutputStream out, TaskSpec spec) throws IOException {
    if (spec instanceof MapTaskSpec m) {
      if (m.split() instanceof FileSplit f) {
        out.writeByte(1);
        writeAttempt(out, m.id());
        writeJob(out, m.job());
        str(out, f.path());
        out.writeLong(f.start());
        out.writeLong(f.length());
        strings(out, f.hosts());
      } else {
        OpaqueSplit o = m.split() instanceof OpaqueSplit already ? already
            : OpaqueSplit.of(m.split(), m.split().getClass().getClassLoader());
        out.writeByte(4);
        writeAttempt(out, m.id());
        writeJob(out, m.job());
        byte[] bytes = o.bytes();
        out.writeInt(bytes.length);
        out.write(bytes);
        out.writeLong(o.length());
        strings(out, o.hosts());
        str(out, o.description());
      }
      str(out, m.scratchDir());
      str(out, m.outputWorkDir());
    } else if (spec instanceof ReduceTaskSpec r) {
      // Code 2: every map's output is in the list; code 3 (a reduce started early, by slow
      // start): the same fields, then how many maps there are.
      out.writeByte(r.complete() ? 2 : 3);
      writeAttempt(out, r.id());
      writeJob(out, r.job());
      out.writeInt(r.partition());
      out.writeInt(r.inputs().size());
      for (MapOutputRef ref : r.inputs()) {
        writeMapOutput(out, ref);
      }
      str(out, r.scratchDir());
      str(out, r.outputWorkDir());
      if (!r.complete()) {
        out.writeInt(r.mapCount());
      }
    } else {
      throw new IllegalArgumentException("not a task: " + spec);
    }
  }

  public static TaskSpec readTask(DataInputStream in) throws IOException {
    int code = in.readUnsignedByte();
    switch (code) {
      case 1 -> {
        TaskAttemptId id = readAttempt(in);
        JobSpec job = readJob(in);
        FileSplit split = new FileSplit(str(in), in.readLong(), in.readLong(), strings(in));
        return new MapTaskSpec(id, job, split, str(in), str(in));
      }
      case 4 -> {
        TaskAttemptId id = readAttempt(in);
        JobSpec job = readJob(in);
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING) {
          throw new IOException("split of " + n + " bytes");
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        long length = in.readLong();
        List<String> hosts = strings(in);
        String description = str(in);
        if (description == null) {
          throw new IOException("a split without a description");
        }
        OpaqueSplit split = new OpaqueSplit(bytes, length, hosts, description);
        return new MapTaskSpec(id, job, split, str(in), str(in));
      }
      case 2, 3 -> {
        TaskAttemptId id = readAttempt(in);
        JobSpec job = readJob(in);
        int partition = in.readInt();
        int n = count(in);
        List<MapOutputRef> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          inputs.add(readMapOutput(in));
        }
        String scratch = str(in);
        String work = str(in);
        if (code == 2) {
          return new ReduceTaskSpec(id, job, partition, inputs, scratch, work);
        }
        int maps = in.readInt();
        if (maps < n || maps > MAX_COUNT) {
          throw new IOException("a reduce of " + maps + " maps with " + n + " map outputs");
        }
        return new ReduceTaskSpec(id, job, partition, inputs, scratch, work, maps);
      }
      default -> throw new IOException("unknown task code " + code);
    }
  }

  public static void writeAttempt(DataOutputStream out, TaskAttemptId id) throws IOException {
    str(out, id.jobId());
    out.writeByte(id.kind() == TaskKind.MAP ? 1 : 2);
    out.writeInt(id.taskIndex());
    out.writeInt(id.attempt());
  }

  public static TaskAttemptId readAttempt(DataInputStream in) throws IOException {
    String job = str(in);
    int kind = in.readUnsignedByte();
    if (job == null || (kind != 1 && kind != 2)) {
      throw new IOException("bad attempt id");
    }
    return new TaskAttemptId(job, kind == 1 ? TaskKind.MAP : TaskKind.REDUCE, in.readInt(),
        in.readInt());
  }

  /** A nullable map output reference. */
  public static void writeMapOutput(DataOutputStream out, MapOutputRef r) throws IOException {
    out.writeBoolean(r != null);
    if (r != null) {
      out.writeInt(r.mapIndex());
      writeAttempt(out, r.attempt());
      str(out, r.host());
      str(out, r.dataFile());
      str(out, r.indexFile());
    }
  }

  public static MapOutputRef readMapOutput(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new MapOutputRef(in.readInt(), readAttempt(in), str(in), str(in), str(in));
  }

  /** Nullable counters. */
  public static void writeCounters(DataOutputStream out, Counters c) throws IOException {
    if (c == null) {
      out.writeInt(-1);
      return;
    }
    Map<String, Map<String, Long>> groups = c.asMap();
    out.writeInt(groups.size());
    for (Map.Entry<String, Map<String, Long>> g : groups.entrySet()) {
      str(out, g.getKey());
      out.writeInt(g.getValue().size());
      for (Map.Entry<String, Long> e : g.getValue().entrySet()) {
        str(out, e.getKey());
        out.writeLong(e.getValue());
      }
    }
  }

  public static Counters readCounters(DataInputStream in) throws IOException {
    int groups = in.readInt();
    if (groups == -1) {
      return null;
    }
    checkCount(groups);
    Map<String, Map<String, Long>> values = new TreeMap<>();
    for (int i = 0; i < groups; i++) {
      String group = str(in);
      int n = count(in);
      Map<String, Long> names = new TreeMap<>();
      for (int j = 0; j < n; j++) {
        names.put(str(in), in.readLong());
      }
      values.put(group, names);
    }
    return Counters.of(values);
  }

  private static void writeJob(DataOutputStream out, JobSpec s) throws IOException {
    str(out, s.name());
    str(out, s.user());
    str(out, s.jar());
    strings(out, s.inputPaths());
    str(out, s.outputPath());
    str(out, s.inputFormat());
    str(out, s.outputFormat());
    str(out, s.mapper());
    str(out, s.combiner());
    str(out, s.reducer());
    str(out, s.partitioner());
    out.writeInt(s.reduceTasks());
    str(out, s.mapOutputKeyClass());
    str(out, s.mapOutputValueClass());
    str(out, s.outputKeyClass());
    str(out, s.outputValueClass());
    str(out, s.sortComparator());
    str(out, s.groupingComparator());
    Map<String, String> config = new TreeMap<>(s.config());
    out.writeInt(config.size());
    for (Map.Entry<String, String> e : config.entrySet()) {
      str(out, e.getKey());
      str(out, e.getValue());
    }
  }

  private static JobSpec readJob(DataInputStream in) throws IOException {
    String name = str(in);
    String user = str(in);
    String jar = str(in);
    List<String> inputs = strings(in);
    String output = str(in);
    String inputFormat = str(in);
    String outputFormat = str(in);
    String mapper = str(in);
    String combiner = str(in);
    String reducer = str(in);
    String partitioner = str(in);
    int reduceTasks = in.readInt();
    String mapOutputKey = str(in);
    String mapOutputValue = str(in);
    String outputKey = str(in);
    String outputValue = str(in);
    String sort = str(in);
    String grouping = str(in);
    int n = count(in);
    Map<String, String> config = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      config.put(str(in), str(in));
    }
    try {
      return new JobSpec(name, user, jar, inputs, output, inputFormat, outputFormat, mapper,
          combiner, reducer, partitioner, reduceTasks, mapOutputKey, mapOutputValue, outputKey,
          outputValue, sort, grouping, config);
    } catch (RuntimeException e) {
      throw new IOException("bad job spec: " + e.getMessage(), e);
    }
  }

  /** A nullable string: length -1 for null, else its UTF-8 bytes. */
  static void str(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String str(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > MAX_STRING) {
      throw new IOException("string of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void strings(DataOutputStream out, List<String> list) throws IOException {
    out.writeInt(list.size());
    for (String s : list) {
      str(out, s);
    }
  }

  private static List<String> strings(DataInputStream in) throws IOException {
    int n = count(in);
    List<String> out = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      out.add(str(in));
    }
    return out;
  }

  private static int count(DataInputStream in) throws IOException {
    return checkCount(in.readInt());
  }

  private static int checkCount(int n) throws IOException {
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("count of " + n);
    }
    return n;
  }
}
