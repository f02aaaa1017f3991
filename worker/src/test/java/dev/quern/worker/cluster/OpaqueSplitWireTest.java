package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.OpaqueSplit;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A map task's split of a job's own class crosses the wire as bytes plus its description, and
 * only the attempt's class loader turns it back into the split; bytes that do not read back fail
 * with an error that names the job, task, attempt and split.
 */
class OpaqueSplitWireTest {
  /** A job's own split class (here in the test's classes; on a cluster, in the job jar). */
  public record Range(long from, long to, List<String> where) implements InputSplit {
    @Override
    public long length() {
      return to - from;
    }

    @Override
    public List<String> hosts() {
      return where;
    }

    @Override
    public String describe() {
      return "numbers " + from + ".." + to;
    }
  }

  private static final TaskAttemptId ID = new TaskAttemptId("job-0042", TaskKind.MAP, 3, 2);

  private static JobSpec job() {
    return Job.builder("ranges").input("/in").output("/out")
        .mapper(JarCacheTest.NoMapper.class).mapOutput(String.class, Long.class).build().spec();
  }

  private static TaskSpec roundTrip(TaskSpec spec) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      TaskSpecCodec.writeTask(out, spec);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    TaskSpec back = TaskSpecCodec.readTask(in);
    assertEquals(-1, in.read(), "the reader took every byte");
    return back;
  }

  @Test
  void aSplitOfTheJobsOwnClassTravelsAsBytesAndTheJobsLoaderReadsIt() throws IOException {
    Range range = new Range(1_000, 1_750, List.of("h1", "h2"));
    MapTaskSpec sent = new MapTaskSpec(ID, job(), range, "scratch/x", "/out/_temporary/x");

    MapTaskSpec carried = (MapTaskSpec) roundTrip(sent);
    OpaqueSplit opaque = assertInstanceOf(OpaqueSplit.class, carried.split(),
        "the reading side keeps the bytes: it need not know the class");
    assertEquals("numbers 1000..1750", opaque.describe());
    assertEquals(750, opaque.length());
    assertEquals(List.of("h1", "h2"), opaque.hosts());
    assertEquals(ID, carried.id());
    assertEquals(sent.job(), carried.job());
    assertEquals("scratch/x", carried.scratchDir());

    // Carried again (a leader forwards what it holds) it stays the same bytes.
    MapTaskSpec twice = (MapTaskSpec) roundTrip(carried);
    assertArrayEquals(opaque.bytes(), ((OpaqueSplit) twice.split()).bytes());

    MapTaskSpec read = (MapTaskSpec) OpaqueSplit.readIn(twice, Range.class.getClassLoader());
    assertEquals(range, read.split());
    assertEquals(sent, read);

    // A file split keeps its own layout, and readIn leaves it as it is.
    MapTaskSpec file = new MapTaskSpec(ID, job(), new FileSplit("/in/a", 5, 10, List.of("h")),
        "s", "o");
    TaskSpec fileBack = roundTrip(file);
    assertEquals(file, fileBack);
    assertSame(fileBack, OpaqueSplit.readIn(fileBack, Range.class.getClassLoader()));
  }

  @Test
  void bytesThatDoNotReadBackFailTheAttemptNamingIt() throws IOException {
    OpaqueSplit garbage = new OpaqueSplit(new byte[] {1, 2, 3, 4, 5, 6, 7}, 10, List.of(),
        "part of table t");
    MapTaskSpec spec = (MapTaskSpec) roundTrip(new MapTaskSpec(ID, job(), garbage, "s", "o"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OpaqueSplit.readIn(spec, getClass().getClassLoader()));
    String m = e.getMessage();
    assertTrue(m.contains("job job-0042") && m.contains("task m-00003")
        && m.contains("attempt job-0042/m-00003/2") && m.contains("'part of table t'")
        && m.contains("7 bytes"), m);
  }
}
