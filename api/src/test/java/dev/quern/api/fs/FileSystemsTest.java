package dev.quern.api.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.api.io.RecordWriter;
import dev.quern.api.io.TextInputFormat;
import dev.quern.api.io.TextOutputFormat;
import dev.quern.api.io.binary.BinaryInputFormat;
import dev.quern.api.io.binary.BinaryOutputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemsTest {
  private final Configuration conf = Configuration.empty();

  @AfterEach
  void clear() {
    MemFileSystem.FILES.clear();
  }

  @Test
  void plainPathsAndFileUrisAreLocal(@TempDir Path dir) throws IOException {
    assertThat(FileSystems.get("/tmp/x", conf)).isSameAs(LocalFileSystem.INSTANCE);
    assertThat(FileSystems.get("rel/x", conf)).isSameAs(LocalFileSystem.INSTANCE);
    assertThat(FileSystems.get("file:///tmp/x", conf)).isSameAs(LocalFileSystem.INSTANCE);
    assertThat(FileSystems.get("mem://a/x", conf)).isInstanceOf(MemFileSystem.class);
    assertThat(LocalFileSystem.toPath(dir.toUri().toString())).isEqualTo(dir);
    assertThat(LocalFileSystem.toPath("file:" + dir)).isEqualTo(dir);
  }

  @Test
  void unknownSchemeFailsNamingPathAndModule() {
    assertThatThrownBy(() -> FileSystems.get("hdfs://nn:8020/data/in", conf))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("hdfs://nn:8020/data/in")
        .hasMessageContaining("quern-fs-hadoop");
  }

  @Test
  void localOperations(@TempDir Path dir) throws IOException {
    FileSystem fs = LocalFileSystem.INSTANCE;
    String a = dir.resolve("d/a.txt").toString();
    try (OutputStream o = fs.create(a)) {
      o.write("hello".getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> fs.create(a)).isInstanceOf(IOException.class);
    try (InputStream in = fs.open(a, 1)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ello");
    }
    assertThat(fs.status(a).length()).isEqualTo(5);
    assertThat(fs.status(dir.resolve("d").toString()).directory()).isTrue();
    String b = dir.resolve("e").toString();
    fs.rename(dir.resolve("d").toString(), b);
    assertThat(fs.list(b)).extracting(FileStatus::name).containsExactly("a.txt");
    assertThatThrownBy(() -> fs.status(a)).hasMessageContaining(a);
    fs.delete(b);
    fs.delete(b);
    assertThat(fs.exists(b)).isFalse();
  }

  @Test
  void remoteSplitsFollowBlocksAndCarryHosts() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      text.append("line ").append(i).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    MemFileSystem.FILES.put("mem://nn/in/a.txt", bytes);
    MemFileSystem.FILES.put("mem://nn/in/_SUCCESS", new byte[0]);
    TextInputFormat format = new TextInputFormat();
    List<InputSplit> splits = format.splits(List.of("mem://nn/in"), conf);

    long expected = (long) Math.ceil(bytes.length / (double) MemFileSystem.BLOCK);
    if ((bytes.length - (expected - 1) * MemFileSystem.BLOCK) <= MemFileSystem.BLOCK / 10) {
      expected--;
    }
    assertThat(splits).hasSize((int) expected);
    for (int i = 0; i < splits.size(); i++) {
      FileSplit s = (FileSplit) splits.get(i);
      assertThat(s.path()).isEqualTo("mem://nn/in/a.txt");
      assertThat(s.start()).isEqualTo(i * MemFileSystem.BLOCK);
      assertThat(s.hosts()).containsExactly("host-" + i % 3);
    }
    List<String> lines = new ArrayList<>();
    for (InputSplit s : splits) {
      try (RecordReader<Long, String> r = format.open(s, conf)) {
        while (r.next()) {
          lines.add(r.value());
        }
      }
    }
    assertThat(String.join("\n", lines) + "\n").isEqualTo(text.toString());
  }

  @Test
  void missingRemoteInputNamesThePath() {
    assertThatThrownBy(() -> new TextInputFormat().splits(List.of("mem://nn/nothing"), conf))
        .isInstanceOf(IOException.class).hasMessageContaining("mem://nn/nothing");
  }

  @Test
  void textAndBinaryOutputWriteToRemoteWorkDirs() throws IOException {
    try (RecordWriter<String, Long> w =
        new TextOutputFormat<String, Long>().open("mem://nn/out/w", "part-0", conf)) {
      w.write("a", 1L);
      w.write("b", 2L);
    }
    assertThat(new String(MemFileSystem.FILES.get("mem://nn/out/w/part-0"),
        StandardCharsets.UTF_8)).isEqualTo("a\t1\nb\t2\n");
    try (RecordWriter<String, Long> w =
        new BinaryOutputFormat<String, Long>().open("mem://nn/out/w", "part-1", conf)) {
      w.write("a", 1L);
    }
    assertThat(MemFileSystem.FILES.get("mem://nn/out/w/part-1" + BinaryOutputFormat.EXTENSION))
        .isNotEmpty();
    assertThatThrownBy(() -> new TextOutputFormat<>().checkOutput("mem://nn/out", conf))
        .hasMessageContaining("mem://nn/out already exists");
  }

  @Test
  void localOutputThroughStringWorkDir(@TempDir Path dir) throws IOException {
    try (RecordWriter<String, Long> w = new BinaryOutputFormat<String, Long>()
        .open(dir.toUri().toString(), "part-0", conf)) {
      w.write("a", 1L);
    }
    BinaryInputFormat<String, Long> in = new BinaryInputFormat<>();
    List<InputSplit> splits = in.splits(List.of(dir.toString()), conf);
    try (RecordReader<String, Long> r = in.open(splits.get(0), conf)) {
      assertThat(r.next()).isTrue();
      assertThat(r.key()).isEqualTo("a");
      assertThat(r.value()).isEqualTo(1L);
    }
    assertThat(Files.exists(dir.resolve("part-0.qbin"))).isTrue();
  }
}
