package dev.quern.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs reached through symbolic links are read, as Hadoop's local filesystem reads them: an
 * input directory that is a link, and links to files and directories inside an input directory.
 * A link loop fails with the input path named rather than walking forever.
 */
class SymlinkedInputTest {

  @Test
  void readsAnInputDirectoryGivenThroughALink(@TempDir Path dir) throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("a.txt"), "one\ntwo\n");
    Files.writeString(real.resolve("b.txt"), "three\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);

    List<InputSplit> splits = new TextInputFormat().splits(List.of(link.toString()),
        Configuration.empty());

    assertThat(splits).extracting(s -> ((FileSplit) s).path())
        .containsExactly(link.resolve("a.txt").toString(), link.resolve("b.txt").toString());
    assertThat(splits).extracting(s -> ((FileSplit) s).length()).containsExactly(8L, 6L);
  }

  @Test
  void followsLinksInsideAnInputDirectory(@TempDir Path dir) throws IOException {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("far.txt"), "far\n");
    Path input = Files.createDirectories(dir.resolve("input"));
    Files.writeString(input.resolve("near.txt"), "near\n");
    Files.createSymbolicLink(input.resolve("sub"), elsewhere);
    Files.createSymbolicLink(input.resolve("z.txt"), elsewhere.resolve("far.txt"));

    assertThat(FileInputFormat.listFiles(List.of(input.toString())))
        .containsExactly(input.resolve("near.txt"), input.resolve("sub/far.txt"),
            input.resolve("z.txt"));
  }

  @Test
  void aLinkLoopNamesTheInputPath(@TempDir Path dir) throws IOException {
    Path input = Files.createDirectories(dir.resolve("input"));
    Files.writeString(input.resolve("a.txt"), "a\n");
    Files.createSymbolicLink(input.resolve("again"), input);

    assertThatThrownBy(() -> FileInputFormat.listFiles(List.of(input.toString())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("input path " + input)
        .hasMessageContaining("the symbolic link " + input.resolve("again") + " loops back");
  }

  @Test
  void aLinkLoopThroughTheFileSystemApiNamesTheInputPath(@TempDir Path dir) throws IOException {
    Path input = Files.createDirectories(dir.resolve("input"));
    Files.writeString(input.resolve("a.txt"), "a\n");
    Files.createSymbolicLink(input.resolve("again"), input);
    String path = input.toString();

    assertThatThrownBy(() -> FileInputFormat.listFiles(
        FileSystems.get(path, Configuration.empty()), path))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("input path " + path + ": ")
        .hasMessageContaining("symbolic links");
  }
}
