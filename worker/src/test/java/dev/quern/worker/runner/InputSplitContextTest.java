package dev.quern.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.TextInputFormat;
import dev.quern.worker.testjobs.LocalJobRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Context#inputSplit()}: a mapper sees the split it reads; combiners and reducers null. */
public class InputSplitContextTest {
  @TempDir Path tmp;

  /** Emits (line, the split the task reads), checking the split is the same in setup and map. */
  public static class SplitMapper implements Mapper<Long, String, String, String> {
    private InputSplit atSetup;

    @Override
    public void setup(Context<String, String> ctx) {
      atSetup = ctx.inputSplit();
    }

    @Override
    public void map(Long offset, String line, Context<String, String> ctx) {
      if (ctx.inputSplit() != atSetup) {
        throw new IllegalStateException("split changed between setup and map");
      }
      FileSplit s = (FileSplit) ctx.inputSplit();
      ctx.emit(line, Path.of(s.path()).getFileName() + ":" + s.start() + "+" + s.length());
    }
  }

  /** Passes values through, failing if it is told of a split. */
  public static class SplitCheckingCombiner implements Reducer<String, String, String, String> {
    @Override
    public void reduce(String key, Iterable<String> values, Context<String, String> ctx) {
      if (ctx.inputSplit() != null) {
        throw new IllegalStateException("combiner saw split " + ctx.inputSplit().describe());
      }
      for (String v : values) {
        ctx.emit(key, v);
      }
    }
  }

  /** Writes (line, "split|reduce-split=<what the reducer sees>"). */
  public static class SplitReducer implements Reducer<String, String, String, String> {
    @Override
    public void reduce(String key, Iterable<String> values, Context<String, String> ctx) {
      List<String> vs = new ArrayList<>();
      values.forEach(vs::add);
      ctx.emit(key, String.join(",", vs) + "|reduce-split=" + ctx.inputSplit());
    }
  }

  @Test
  void mapperSeesItsSplitAndReducerNull() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    List<Path> files = new ArrayList<>();
    for (String name : List.of("a.txt", "b.txt")) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 400; i++) {
        text.append(name).append("-line-").append(i).append('\n');
      }
      files.add(Files.writeString(in.resolve(name), text, StandardCharsets.UTF_8));
    }
    JobSpec job = Job.builder("splits").input(in.toString()).output(tmp.resolve("out").toString())
        .inputFormat(TextInputFormat.class).mapper(SplitMapper.class)
        .combiner(SplitCheckingCombiner.class).reducer(SplitReducer.class)
        .mapOutput(String.class, String.class).output(String.class, String.class)
        .reduceTasks(2).set("quern.input.split-size", "1k").build().spec();

    // Expected independently: each line belongs to the planned split holding its first byte.
    List<InputSplit> splits = new TextInputFormat().splits(List.of(in.toString()),
        job.configuration());
    assertThat(splits).hasSizeGreaterThan(4);
    TreeMap<String, String> expected = new TreeMap<>();
    for (Path f : files) {
      long offset = 0;
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        FileSplit owner = null;
        for (InputSplit s : splits) {
          FileSplit fs = (FileSplit) s;
          if (Path.of(fs.path()).equals(f) && fs.start() <= offset && offset < fs.end()) {
            owner = fs;
          }
        }
        expected.put(line, f.getFileName() + ":" + owner.start() + "+" + owner.length()
            + "|reduce-split=null");
        offset += line.length() + 1;
      }
    }

    LocalJobRun run = new LocalJobRun(job, tmp).run();

    TreeMap<String, String> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t", 2);
      assertThat(actual.put(kv[0], kv[1])).as("line %s written twice", kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(run.mapCounters().get(TaskCounter.COMBINE_INPUT_RECORDS)).isEqualTo(800);
  }
}
