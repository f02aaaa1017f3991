package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Counters;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobFailed;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BookCodecTest {

  /** A split of a class the book does not know, as a job's own would be. */
  public record RowSplit(long first, long rows, List<String> hosts) implements InputSplit {
    @Override
    public long length() {
      return rows * 100;
    }

    @Override
    public String describe() {
      return "rows " + first + "+" + rows;
    }
  }

  /** {@link JobBookTest#history()} plus a job that is killed and one that fails. */
  static List<JobEvent> everyKindOfEvent() {
    List<JobEvent> events = new ArrayList<>(JobBookTest.history());
    TaskAttemptId killed = new TaskAttemptId("job-0002", TaskKind.MAP, 0, 1);
    List<BookSplit> mixed = List.of(
        new BookSplit.File(new FileSplit("/in/é", 5, 10, List.of("h1", "h2"))),
        BookSplit.of(new RowSplit(0, 7, List.of("h3")), BookCodecTest.class.getClassLoader()));
    events.add(new JobAccepted(JobBookTest.spec("/out/2"), mixed, 2000));
    events.add(new AttemptStarted(killed, "w0", 2001));
    events.add(new JobKilled("job-0002", "killed in the web UI at 2002", 2002));
    TaskAttemptId failed = new TaskAttemptId("job-0003", TaskKind.MAP, 1, 1);
    events.add(new JobAccepted(JobBookTest.spec("/out/3"), JobBookTest.splits(), 3000));
    events.add(new AttemptStarted(failed, "w1", 3001));
    events.add(new JobEvent.AttemptFailed(failed, "bad ✓", null, 3002));
    events.add(new JobFailed("job-0003", "task m-00001 failed 4 time(s)", 3003));
    TaskAttemptId lost = new TaskAttemptId("job-0004", TaskKind.MAP, 0, 1);
    events.add(new JobAccepted(JobBookTest.spec("/out/4"), JobBookTest.splits(), 4000));
    events.add(new AttemptStarted(lost, "w2", 4001));
    events.add(new JobEvent.MapDone(lost, JobBookTest.out(lost), JobBookTest.records(3), 4002));
    events.add(new JobEvent.WorkerOutputsLost("job-0004", "w2", "worker w2 was lost", 4003));
    events.add(new JobEvent.JobRetired("job-0002", 5000));
    return events;
  }

  @Test
  void theEventsCoverEveryKindOfEvent() {
    Set<Class<?>> kinds = Arrays.stream(JobEvent.class.getPermittedSubclasses())
        .collect(Collectors.toSet());
    assertThat(everyKindOfEvent().stream().map(Object::getClass).collect(Collectors.toSet()))
        .as("a new kind of event needs a place in this test's history (and a type code)")
        .isEqualTo(kinds);
  }

  @Test
  void everyEventRoundTripsAndReplaysToTheSameBook() {
    JobBook original = new JobBook();
    JobBook decoded = new JobBook();
    for (JobEvent e : everyKindOfEvent()) {
      byte[] bytes = BookCodec.encode(e);
      // Version 2 added WorkerOutputsLost, version 3 JobRetired; every other event is still
      // written as version 1.
      assertThat(bytes[0]).as("version byte").isEqualTo(
          (byte) (e instanceof JobEvent.WorkerOutputsLost ? 2
              : e instanceof JobEvent.JobRetired ? 3 : BookCodec.VERSION));
      JobEvent back = BookCodec.decodeEvent(bytes);
      assertThat(back).as("round trip of %s", e.getClass().getSimpleName()).isEqualTo(e);
      assertThat(BookCodec.encode(back)).as("re-encoding %s", e).isEqualTo(bytes);
      Outcome o = original.apply(e);
      assertThat(o).as("%s", e).isInstanceOf(Outcome.Applied.class);
      assertThat(decoded.apply(back)).isEqualTo(o);
    }
    assertThat(BookRendering.render(decoded)).isEqualTo(BookRendering.render(original));
  }

  /**
   * Entries that masters wrote to their logs before version 3 still read, and every version's
   * bytes stay what they were: these were written by the codec of their time.
   */
  @Test
  void entriesOfEveryVersionReadAsWritten() {
    Map<String, JobEvent> golden = new LinkedHashMap<>();
    golden.put("010a000000086a6f622d3030303100000000000003f9",
        new JobEvent.JobSucceeded("job-0001", 1017));
    golden.put("020d000000086a6f622d3030303400000002773200000004676f6e650000000000000fa3",
        new JobEvent.WorkerOutputsLost("job-0004", "w2", "gone", 4003));
    golden.put("030e000000086a6f622d303030310000000000015f90",
        new JobEvent.JobRetired("job-0001", 90000));
    // Version 4: a job whose split list is stored, named by hash and count.
    golden.put(V4_ACCEPTED, new JobAccepted(JobBookTest.spec("/out"),
        new StoredSplits("ab".repeat(32), 5000), 1000));
    golden.forEach((hex, event) -> {
      assertThat(BookCodec.decodeEvent(HexFormat.of().parseHex(hex))).isEqualTo(event);
      assertThat(HexFormat.of().formatHex(BookCodec.encode(event))).as("%s", event)
          .isEqualTo(hex);
    });
    byte[] wrongType = HexFormat.of().parseHex("030d000000086a6f622d303030310000000000015f90");
    assertThatThrownBy(() -> BookCodec.decodeEvent(wrongType))
        .hasMessageContaining("unknown event type 13 of version 3");
  }

  /** A stored job's acceptance (version 4). */
  private static final String V4_ACCEPTED =
      "040100000004626f6f6b00000004726f6f74ffffffff00000001000000032f696e000000042f6f75"
      + "74000000206465762e717565726e2e6170692e696f2e54657874496e707574466f726d6174000000"
      + "216465762e717565726e2e6170692e696f2e546578744f7574707574466f726d61740000002c6465"
      + "762e717565726e2e6d61737465722e656e67696e652e4a6f62426f6f6b54657374244e6f4d617070"
      + "6572ffffffffffffffff0000001d6465762e717565726e2e6170692e48617368506172746974696f"
      + "6e657200000001000000106a6176612e6c616e672e537472696e670000000e6a6176612e6c616e67"
      + "2e4c6f6e67000000106a6176612e6c616e672e537472696e670000000e6a6176612e6c616e672e4c"
      + "6f6e67ffffffffffffffff0000000000000040616261626162616261626162616261626162616261"
      + "62616261626162616261626162616261626162616261626162616261626162616261626162616261"
      + "6261620000138800000000000003e8";

  /**
   * A snapshot as masters wrote it before split lists were stored (version 1): a job of one file
   * split with its first map attempt running.
   */
  private static final String SNAPSHOT_V1 =
      "514a424b010000000100000001000000086a6f622d3030303100000004626f6f6b00000004726f6f"
      + "74ffffffff00000001000000032f696e000000042f6f7574000000206465762e717565726e2e6170"
      + "692e696f2e54657874496e707574466f726d6174000000216465762e717565726e2e6170692e696f"
      + "2e546578744f7574707574466f726d61740000002c6465762e717565726e2e6d61737465722e656e"
      + "67696e652e4a6f62426f6f6b54657374244e6f4d6170706572ffffffffffffffff0000001d646576"
      + "2e717565726e2e6170692e48617368506172746974696f6e657200000001000000106a6176612e6c"
      + "616e672e537472696e670000000e6a6176612e6c616e672e4c6f6e67000000106a6176612e6c616e"
      + "672e537472696e670000000e6a6176612e6c616e672e4c6f6e67ffffffffffffffff000000000000"
      + "000101000000052f696e2f610000000000000000000000000000000a000000010000000268310000"
      + "0000000003e800000000000003e9ffffffffffffffff02ffffffff00000000ffffffff0000000000"
      + "0000000000000100000002773100000000000003e9ffffffffffffffff01ffffffffffffffffffff"
      + "ffff00000000ffffffff000000000000000000000000";

  /**
   * The same book as version 2 writes it: its version byte, and one more byte before the splits
   * (00: no stored split list).
   */
  private static final String SNAPSHOT_V2 = "514a424b02" + SNAPSHOT_V1.substring(10).replace(
      "0000000101000000052f696e2f61", "00" + "0000000101000000052f696e2f61");

  @Test
  void snapshotsOfEveryVersionRestoreAsWritten() {
    JobBook v1 = BookCodec.restore(HexFormat.of().parseHex(SNAPSHOT_V1));
    BookJob job = v1.job("job-0001");
    assertThat(job.stored()).isNull();
    assertThat(job.splits()).containsExactly(
        new BookSplit.File(new FileSplit("/in/a", 0, 10, List.of("h1"))));
    assertThat(job.attempt(new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1)).workerId())
        .isEqualTo("w1");
    assertThat(HexFormat.of().formatHex(BookCodec.snapshot(v1))).isEqualTo(SNAPSHOT_V2);
    JobBook v2 = BookCodec.restore(HexFormat.of().parseHex(SNAPSHOT_V2));
    assertThat(BookRendering.render(v2)).isEqualTo(BookRendering.render(v1));
    byte[] unknown = HexFormat.of().parseHex(SNAPSHOT_V2);
    unknown[4] = 3;
    assertThatThrownBy(() -> BookCodec.restore(unknown))
        .hasMessageContaining("format version 3");
  }

  @Test
  void aSnapshotAfterARetirementHoldsNoTraceOfTheJob() {
    JobBook book = new JobBook();
    List<JobEvent> events = everyKindOfEvent();
    for (JobEvent e : events) {
      assertThat(book.apply(e)).as("%s", e).isInstanceOf(Outcome.Applied.class);
    }
    assertThat(book.job("job-0002")).isNull();
    JobBook restored = BookCodec.restore(BookCodec.snapshot(book));
    assertThat(restored.job("job-0002")).isNull();
    assertThat(restored.jobs()).extracting(BookJob::id)
        .containsExactly("job-0001", "job-0003", "job-0004");
    assertThat(restored.accepted()).as("ids are not reused").isEqualTo(4);
    assertThat(BookRendering.render(restored)).isEqualTo(BookRendering.render(book));
    // No trace of the job in the image: neither its kill reason nor its output directory.
    String image = new String(BookCodec.snapshot(book), StandardCharsets.ISO_8859_1);
    assertThat(image).contains("job-0001").doesNotContain("job-0002")
        .doesNotContain("killed in the web UI").doesNotContain("/out/2");
    assertThat(BookCodec.snapshot(restored)).isEqualTo(BookCodec.snapshot(book));
  }

  @Test
  void outcomesRoundTrip() {
    for (Outcome o : List.of(new Outcome.Applied("job-0042"), new Outcome.Rejected("no ✓"),
        new Outcome.Rejected(""))) {
      assertThat(BookCodec.decodeOutcome(BookCodec.encode(o))).isEqualTo(o);
    }
  }

  @Test
  void aSnapshotRestoresTheSameBook() {
    JobBook book = new JobBook();
    everyKindOfEvent().forEach(book::apply);
    byte[] image = BookCodec.snapshot(book);
    JobBook restored = BookCodec.restore(image);
    assertThat(BookRendering.render(restored)).isEqualTo(BookRendering.render(book));
    assertThat(BookCodec.snapshot(restored)).isEqualTo(image);
    assertThat(BookCodec.snapshot(BookCodec.restore(BookCodec.snapshot(new JobBook()))))
        .isEqualTo(BookCodec.snapshot(new JobBook()));
  }

  @Test
  void aJobsOwnSplitTravelsAsBytesReadOnlyWithTheJobsClassLoader() {
    RowSplit split = new RowSplit(40, 3, List.of("h"));
    BookSplit b = BookSplit.of(split, getClass().getClassLoader());
    assertThat(b).isInstanceOf(BookSplit.Opaque.class);
    assertThat(b.describe()).isEqualTo("rows 40+3");
    assertThat(b.length()).isEqualTo(300);
    assertThat(b.hosts()).containsExactly("h");
    assertThat(b.toSplit(getClass().getClassLoader())).isEqualTo(split);

    // An entry decodes without the split's class: here a class that exists nowhere.
    BookSplit.Opaque o = (BookSplit.Opaque) b;
    byte[] renamed = new String(o.bytes(), StandardCharsets.ISO_8859_1)
        .replace("$RowSpli", "$NoSuchX").getBytes(StandardCharsets.ISO_8859_1);
    assertThat(renamed).as("Kryo wrote the class name").isNotEqualTo(o.bytes());
    BookSplit nowhere = new BookSplit.Opaque(renamed, o.length(), o.hosts(), o.describe());
    JobAccepted e = new JobAccepted(JobBookTest.spec(), List.of(nowhere), 1);
    JobAccepted back = (JobAccepted) BookCodec.decodeEvent(BookCodec.encode(e));
    assertThat(back.splits()).containsExactly(nowhere);
    assertThat(back.splits().get(0).describe()).isEqualTo("rows 40+3");
    assertThatThrownBy(() -> back.splits().get(0).toSplit(getClass().getClassLoader()))
        .hasMessageContaining("NoSuchX");
    ClassLoader bare = new ClassLoader(null) {};

    FileSplit file = new FileSplit("/x", 1, 2, List.of());
    assertThat(BookSplit.of(file, bare)).isEqualTo(new BookSplit.File(file));
  }

  @Test
  void malformedBytesAreRefusedWithAnException() {
    for (JobEvent e : everyKindOfEvent()) {
      byte[] bytes = BookCodec.encode(e);
      for (int n = 0; n < bytes.length; n++) {
        byte[] prefix = Arrays.copyOf(bytes, n);
        assertThatThrownBy(() -> BookCodec.decodeEvent(prefix)).as("%d bytes of %s", n, e)
            .isInstanceOf(IllegalArgumentException.class);
      }
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      assertThatThrownBy(() -> BookCodec.decodeEvent(longer))
          .hasMessageContaining("too many");
    }
    byte[] future = BookCodec.encode(new JobKilled("job-0001", 1));
    future[0] = 2;
    assertThatThrownBy(() -> BookCodec.decodeEvent(future)).hasMessageContaining("version 2");
    byte[] unknown = BookCodec.encode(new JobKilled("job-0001", 1));
    unknown[1] = 99;
    assertThatThrownBy(() -> BookCodec.decodeEvent(unknown))
        .hasMessageContaining("unknown event type 99");
    assertThatThrownBy(() -> BookCodec.restore(new byte[] {1, 2, 3, 4, 5}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void countersAndNullsSurvive() {
    Counters c = new Counters();
    c.increment("g", "n", Long.MIN_VALUE);
    c.increment("quern.task", "é", 7);
    TaskAttemptId a = new TaskAttemptId("job-0001", TaskKind.REDUCE, 3, 2);
    for (JobEvent e : List.<JobEvent>of(new JobEvent.TaskCommitted(a, c, -1),
        new JobEvent.TaskCommitted(a, null, 0), new JobEvent.AttemptFailed(a, null, null, 1),
        new JobEvent.MapDone(a, null, null, 2), new JobFailed("j", null, 3))) {
      assertThat(BookCodec.decodeEvent(BookCodec.encode(e))).isEqualTo(e);
    }
  }
}
