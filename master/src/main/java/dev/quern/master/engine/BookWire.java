package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values {@link BookCodec} is made of, big-endian. Every enum travels as an explicit code
 * (never an ordinal), every nullable value behind a presence byte, every map in key order, so that
 * equal values always give equal bytes.
 */
final class BookWire {
  private BookWire() {}

  static final class Out {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

    byte[] toBytes() {
      return bytes.toByteArray();
    }

    Out u8(int v) {
      bytes.write(v);
      return this;
    }

    Out bool(boolean v) {
      return u8(v ? 1 : 0);
    }

    Out i32(int v) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes.write(v >>> shift);
      }
      return this;
    }

    Out i64(long v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes.write((int) (v >>> shift));
      }
      return this;
    }

    Out blob(byte[] b) {
      i32(b.length);
      bytes.writeBytes(b);
      return this;
    }

    /** A nullable string: length -1 for null, else the UTF-8 bytes. */
    Out str(String s) {
      if (s == null) {
        return i32(-1);
      }
      return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    Out strings(List<String> list) {
      i32(list.size());
      list.forEach(this::str);
      return this;
    }

    Out kind(TaskKind k) {
      return u8(switch (k) {
        case MAP -> 1;
        case REDUCE -> 2;
      });
    }

    Out jobState(JobState s) {
      return u8(switch (s) {
        case ACCEPTED -> 1;
        case RUNNING -> 2;
        case COMMITTING -> 3;
        case SUCCEEDED -> 4;
        case FAILED -> 5;
        case KILLED -> 6;
      });
    }

    Out attemptState(AttemptState s) {
      return u8(switch (s) {
        case RUNNING -> 1;
        case SUCCEEDED -> 2;
        case FAILED -> 3;
        case KILLED -> 4;
        case OUTPUT_LOST -> 5;
      });
    }

    Out attempt(TaskAttemptId id) {
      str(id.jobId());
      kind(id.kind());
      i32(id.taskIndex());
      return i32(id.attempt());
    }

    Out optionalAttempt(TaskAttemptId id) {
      bool(id != null);
      return id == null ? this : attempt(id);
    }

    /** Nullable counters: a group count of -1 for null. */
    Out counters(Counters c) {
      if (c == null) {
        return i32(-1);
      }
      Map<String, Map<String, Long>> groups = c.asMap(); // sorted
      i32(groups.size());
      groups.forEach((group, names) -> {
        str(group);
        i32(names.size());
        names.forEach((name, v) -> str(name).i64(v));
      });
      return this;
    }

    Out mapOutput(MapOutputRef r) {
      bool(r != null);
      if (r != null) {
        i32(r.mapIndex());
        attempt(r.attempt());
        str(r.host());
        str(r.dataFile());
        str(r.indexFile());
      }
      return this;
    }

    Out spec(JobSpec s) {
      str(s.name()).str(s.user()).str(s.jar()).strings(s.inputPaths()).str(s.outputPath());
      str(s.inputFormat()).str(s.outputFormat()).str(s.mapper()).str(s.combiner());
      str(s.reducer()).str(s.partitioner()).i32(s.reduceTasks());
      str(s.mapOutputKeyClass()).str(s.mapOutputValueClass()).str(s.outputKeyClass());
      str(s.outputValueClass()).str(s.sortComparator()).str(s.groupingComparator());
      Map<String, String> config = new TreeMap<>(s.config());
      i32(config.size());
      config.forEach((k, v) -> str(k).str(v));
      return this;
    }

    Out splits(List<BookSplit> splits) {
      i32(splits.size());
      for (BookSplit split : splits) {
        if (split instanceof BookSplit.File f) {
          FileSplit fs = f.split();
          u8(1).str(fs.path()).i64(fs.start()).i64(fs.length()).strings(fs.hosts());
        } else if (split instanceof BookSplit.Opaque o) {
          u8(2).blob(o.bytes()).i64(o.length()).strings(o.hosts()).str(o.description());
        }
      }
      return this;
    }
  }

  /** Reads what {@link Out} wrote; any malformed input is an {@link IllegalArgumentException}. */
  static final class In {
    private final ByteBuffer buf;

    In(byte[] bytes) {
      this.buf = ByteBuffer.wrap(bytes);
    }

    void expectEnd(String what) {
      if (buf.hasRemaining()) {
        throw new IllegalArgumentException(what + " has " + buf.remaining()
            + " byte(s) too many");
      }
    }

    int u8() {
      try {
        return buf.get() & 0xff;
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    boolean bool() {
      int b = u8();
      if (b > 1) {
        throw new IllegalArgumentException("bad boolean " + b);
      }
      return b == 1;
    }

    int i32() {
      try {
        return buf.getInt();
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    long i64() {
      try {
        return buf.getLong();
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    /** A count or length, checked against what is left (each element takes at least a byte). */
    int count() {
      int n = i32();
      if (n < 0 || n > buf.remaining()) {
        throw new IllegalArgumentException("bad length " + n + " with " + buf.remaining()
            + " byte(s) left");
      }
      return n;
    }

    byte[] blob() {
      byte[] b = new byte[count()];
      buf.get(b);
      return b;
    }

    String str() {
      int n = i32();
      if (n == -1) {
        return null;
      }
      if (n < 0 || n > buf.remaining()) {
        throw new IllegalArgumentException("bad string length " + n);
      }
      byte[] b = new byte[n];
      buf.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    String requiredStr(String what) {
      String s = str();
      if (s == null) {
        throw new IllegalArgumentException(what + " is missing");
      }
      return s;
    }

    List<String> strings() {
      int n = count();
      List<String> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(requiredStr("a list element"));
      }
      return out;
    }

    TaskKind kind() {
      int code = u8();
      return switch (code) {
        case 1 -> TaskKind.MAP;
        case 2 -> TaskKind.REDUCE;
        default -> throw new IllegalArgumentException("unknown task kind code " + code);
      };
    }

    JobState jobState() {
      int code = u8();
      return switch (code) {
        case 1 -> JobState.ACCEPTED;
        case 2 -> JobState.RUNNING;
        case 3 -> JobState.COMMITTING;
        case 4 -> JobState.SUCCEEDED;
        case 5 -> JobState.FAILED;
        case 6 -> JobState.KILLED;
        default -> throw new IllegalArgumentException("unknown job state code " + code);
      };
    }

    AttemptState attemptState() {
      int code = u8();
      return switch (code) {
        case 1 -> AttemptState.RUNNING;
        case 2 -> AttemptState.SUCCEEDED;
        case 3 -> AttemptState.FAILED;
        case 4 -> AttemptState.KILLED;
        case 5 -> AttemptState.OUTPUT_LOST;
        default -> throw new IllegalArgumentException("unknown attempt state code " + code);
      };
    }

    TaskAttemptId attempt() {
      return new TaskAttemptId(requiredStr("a job id"), kind(), i32(), i32());
    }

    TaskAttemptId optionalAttempt() {
      return bool() ? attempt() : null;
    }

    Counters counters() {
      int groups = i32();
      if (groups == -1) {
        return null;
      }
      if (groups < 0 || groups > buf.remaining()) {
        throw new IllegalArgumentException("bad counter group count " + groups);
      }
      Counters c = new Counters();
      for (int g = 0; g < groups; g++) {
        String group = requiredStr("a counter group");
        int names = count();
        for (int n = 0; n < names; n++) {
          c.increment(group, requiredStr("a counter name"), i64());
        }
      }
      return c;
    }

    MapOutputRef mapOutput() {
      if (!bool()) {
        return null;
      }
      return new MapOutputRef(i32(), attempt(), str(), str(), str());
    }

    JobSpec spec() {
      String name = str();
      String user = str();
      String jar = str();
      List<String> inputs = strings();
      String output = str();
      String inputFormat = str();
      String outputFormat = str();
      String mapper = str();
      String combiner = str();
      String reducer = str();
      String partitioner = str();
      int reduceTasks = i32();
      String mapOutputKey = str();
      String mapOutputValue = str();
      String outputKey = str();
      String outputValue = str();
      String sort = str();
      String grouping = str();
      int n = count();
      Map<String, String> config = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        config.put(requiredStr("a configuration key"), requiredStr("a configuration value"));
      }
      try {
        return new JobSpec(name, user, jar, inputs, output, inputFormat, outputFormat, mapper,
            combiner, reducer, partitioner, reduceTasks, mapOutputKey, mapOutputValue, outputKey,
            outputValue, sort, grouping, config);
      } catch (NullPointerException e) {
        throw new IllegalArgumentException("bad job spec: " + e.getMessage(), e);
      }
    }

    StoredSplits storedSplits() {
      String sha = requiredStr("a split list's hash");
      int count = i32();
      try {
        return new StoredSplits(sha, count);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad stored split list: " + e.getMessage(), e);
      }
    }

    List<BookSplit> splits() {
      int n = count();
      List<BookSplit> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int code = u8();
        switch (code) {
          case 1 -> out.add(new BookSplit.File(
              new FileSplit(requiredStr("a split's path"), i64(), i64(), strings())));
          case 2 -> out.add(new BookSplit.Opaque(blob(), i64(), strings(),
              requiredStr("a split's description")));
          default -> throw new IllegalArgumentException("unknown split code " + code);
        }
      }
      return out;
    }

    private static IllegalArgumentException truncated() {
      return new IllegalArgumentException("the bytes end too early");
    }
  }
}
