package dev.quern.master.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobCommitterTest {
  @TempDir Path tmp;

  private static final SuccessFile SUCCESS =
      new SuccessFile("job-0001", "j", "u", 1, 2, 3, Map.of("g", Map.of("n", 4L)));

  @Test
  void commitMovesCommittedFilesAndIsIdempotent() throws Exception {
    Path out = tmp.resolve("out");
    JobCommitter.setupJob(out.toString());
    Path r0 = Files.createDirectories(out.resolve("_temporary/committed/r-00000"));
    Path r1 = Files.createDirectories(out.resolve("_temporary/committed/r-00001"));
    Files.writeString(r0.resolve("part-r-00000"), "a\t1\n");
    Files.writeString(r1.resolve("part-r-00001"), "b\t2\n");
    Files.createDirectories(out.resolve("_temporary/r-00001_2")); // a denied attempt's leftovers

    // A crash after the first move: the second run finishes without loss or duplication.
    Files.move(r0.resolve("part-r-00000"), out.resolve("part-r-00000"));
    JobCommitter.commitJob(out.toString(), SUCCESS);
    JobCommitter.commitJob(out.toString(), SUCCESS);

    assertThat(Files.readString(out.resolve("part-r-00000"))).isEqualTo("a\t1\n");
    assertThat(Files.readString(out.resolve("part-r-00001"))).isEqualTo("b\t2\n");
    assertThat(Files.exists(out.resolve("_temporary"))).isFalse();
    assertThat(JobCommitter.readSuccess(out.resolve("_SUCCESS"))).isEqualTo(SUCCESS);
    try (var s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("_SUCCESS", "part-r-00000", "part-r-00001");
    }
  }

  @Test
  void twoTasksWritingOneNameFailTheCommit() throws Exception {
    Path out = tmp.resolve("out");
    Files.writeString(Files.createDirectories(out.resolve("_temporary/committed/m-00000"))
        .resolve("part"), "x");
    Files.writeString(Files.createDirectories(out.resolve("_temporary/committed/m-00001"))
        .resolve("part"), "y");
    assertThatThrownBy(() -> JobCommitter.commitJob(out.toString(), SUCCESS))
        .hasMessageStartingWith("two tasks wrote " + out.resolve("part"));
    assertThat(Files.exists(out.resolve("part"))).as("the moved file is taken back").isFalse();
  }

  @Test
  void abortRemovesAnOutputDirectoryTheJobCreated() throws Exception {
    Path out = tmp.resolve("out");
    JobCommitter.setupJob(out.toString());
    Files.writeString(Files.createDirectories(out.resolve("_temporary/r-00000_1"))
        .resolve("part-r-00000"), "x");
    JobCommitter.abortJob(out.toString());
    assertThat(out).doesNotExist();
    JobCommitter.abortJob(out.toString());
    assertThat(out).doesNotExist();
    assertThat(tmp).exists();
  }

  @Test
  void abortNeverTouchesAnOutputDirectoryThatExistedBefore() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path mine = Files.writeString(out.resolve("notes.txt"), "the user's");
    JobCommitter.setupJob(out.toString());
    Files.writeString(Files.createDirectories(out.resolve("_temporary/r-00000_1"))
        .resolve("part-r-00000"), "x");
    JobCommitter.abortJob(out.toString());
    JobCommitter.abortJob(out.toString());
    try (var s = Files.list(out)) {
      assertThat(s).containsExactly(mine);
    }
    assertThat(Files.readString(mine)).isEqualTo("the user's");
  }

  @Test
  void aCommittedJobKeepsNoMark() throws Exception {
    Path out = tmp.resolve("out");
    JobCommitter.setupJob(out.toString());
    Files.writeString(Files.createDirectories(out.resolve("_temporary/committed/r-00000"))
        .resolve("part-r-00000"), "x");
    JobCommitter.commitJob(out.toString(), new SuccessFile("job-1", "j", "u", 1, 2, 3, Map.of()));
    JobCommitter.abortJob(out.toString()); // a straggler's report after the commit
    try (var s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("part-r-00000", "_SUCCESS");
    }
  }
}
