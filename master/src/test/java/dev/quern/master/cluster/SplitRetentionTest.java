package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.master.cluster.jars.BlobKind;
import dev.quern.master.cluster.jars.JarGroup;
import dev.quern.master.cluster.jars.JarStore;
import dev.quern.master.cluster.jars.SplitLists;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.SplitListCodec;
import dev.quern.master.engine.StoredSplits;
import dev.quern.master.replicated.BookListener;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention of split lists through the replicated book's listener: a retired job's list goes
 * from this master's store, unless a job left in the book names the same list.
 */
class SplitRetentionTest {
  @TempDir Path tmp;

  private static JobSpec spec(String output) {
    return dev.quern.api.Job.builder("r").input("/in").output(output)
        .mapper(RetentionTest.NoMapper.class).mapOutput(String.class, Long.class).reduceTasks(0)
        .build().spec();
  }

  private static JarGroup alone() {
    return JarGroup.fixed("m1", List.of("m1"), () -> "m1", id -> Optional.empty());
  }

  private static void apply(JobBookMachine m, JobEvent e) {
    assertThat(JobBookMachine.decodeOutcomes(m.apply(JobBookMachine.encodeBatch(List.of(e)))))
        .allMatch(o -> o instanceof dev.quern.master.engine.Outcome.Applied, "applied " + e);
  }

  @Test
  void aRetiredJobsListIsDeletedOnceNoJobNamesIt() throws Exception {
    JarStore store = new JarStore(tmp.resolve("splits"), BlobKind.SPLITS);
    SplitRetention retention = new SplitRetention(BookListener.NONE);
    SplitLists lists = new SplitLists(store, alone(), 1 << 20);
    retention.attach(lists);
    JobBookMachine machine = new JobBookMachine(retention);

    List<BookSplit> splits = List.of(new BookSplit.File(new FileSplit("/in/a", 0, 5, List.of())));
    byte[] bytes = SplitListCodec.encode(splits);
    StoredSplits ref = SplitListCodec.ref(bytes, 1);
    Path file = store.put(bytes, ref.sha256()).path();
    // Two jobs over the same input share one list.
    apply(machine, new JobEvent.JobAccepted(spec("/out/1"), ref, 1));
    apply(machine, new JobEvent.JobAccepted(spec("/out/2"), ref, 2));
    apply(machine, new JobEvent.JobKilled("job-0001", 3));
    apply(machine, new JobEvent.JobKilled("job-0002", 4));

    apply(machine, new JobEvent.JobRetired("job-0001", 5));
    // Deletions run in order: once a later one is done, an earlier one would have been too.
    Path marker = store.put(new byte[] {1}, null).path();
    lists.drop(marker.getFileName().toString().replace(".splits", ""));
    Await.until(Duration.ofSeconds(120), "the marker deleted", () -> !Files.exists(marker));
    assertThat(file).as("job-0002 still names it").exists();
    apply(machine, new JobEvent.JobRetired("job-0002", 6));
    Await.until(Duration.ofSeconds(120), "the list deleted", () -> !Files.exists(file));
    assertThat(machine.book().jobs()).isEmpty();
    assertThat(BookCodec.snapshot(machine.book())).isNotEmpty();
  }
}
