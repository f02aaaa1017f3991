package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.TextInputFormat;
import dev.quern.worker.testjobs.LocalJobRun;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map attempt's failure names the input (file, byte range, line) before the cause; a mapper's
 * emit of another class than the job declares fails with Hadoop's kind of message; text that is
 * not valid in its charset is counted.
 */
class MapFailureTest {
  @TempDir Path tmp;

  /** Emits (line, offset as a Long) although the job declares String values. */
  public static class LongValueMapper implements Mapper<Long, String, String, Object> {
    @Override
    public void map(Long offset, String line, Context<String, Object> ctx) {
      ctx.emit(line, offset);
    }
  }

  /** Emits (offset, line): a Long key where the job declares String keys. */
  public static class LongKeyMapper implements Mapper<Long, String, Object, String> {
    @Override
    public void map(Long offset, String line, Context<Object, String> ctx) {
      ctx.emit(offset, line);
    }
  }

  public static class Base {
    public int n;
  }

  public static class Derived extends Base {
    public String extra = "x";
  }

  public static class SubclassMapper implements Mapper<Long, String, String, Base> {
    @Override
    public void map(Long offset, String line, Context<String, Base> ctx) {
      ctx.emit(line, new Derived());
    }
  }

  /** Throws on the line "bad", after emitting the lines before it. */
  public static class ThrowOnBad implements Mapper<Long, String, String, String> {
    @Override
    public void map(Long offset, String line, Context<String, String> ctx) {
      if (line.equals("bad")) {
        throw new IllegalStateException("cannot parse '" + line + "'");
      }
      ctx.emit(line, line);
    }
  }

  /** Emits each line with a null value, the declared classes otherwise. */
  public static class LineMapper implements Mapper<Long, String, String, String> {
    @Override
    public void map(Long offset, String line, Context<String, String> ctx) {
      ctx.emit(line, null);
    }
  }

  /** Emits (line, line). */
  public static class EchoMapper implements Mapper<Long, String, String, String> {
    @Override
    public void map(Long offset, String line, Context<String, String> ctx) {
      ctx.emit(line, line);
    }
  }

  private Path input(String name, byte[] bytes) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    return Files.write(dir.resolve(name), bytes);
  }

  private Job.Builder job(Class<? extends Mapper<?, ?, ?, ?>> mapper) {
    return Job.builder("t").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString()).mapper(mapper).reduceTasks(1)
        .mapOutput(String.class, String.class).output(String.class, String.class);
  }

  private Throwable failure(JobSpec spec) {
    return catchThrowable(() -> new LocalJobRun(spec, tmp).run());
  }

  @Test
  void aValueOfAnotherClassThanDeclaredIsNamedAsHadoopDoes() throws Exception {
    Path file = input("a.txt", "one\ntwo\n".getBytes(StandardCharsets.UTF_8));
    Throwable t = failure(job(LongValueMapper.class).build().spec());
    assertThat(t).isInstanceOf(InputFailure.class)
        .hasRootCauseInstanceOf(MapOutputTypeException.class);
    assertThat(t.toString()).isEqualTo("input " + file + " bytes 0-8, line at byte 0: "
        + "map output value is java.lang.Long but the job declares java.lang.String "
        + "(mapOutput)");
  }

  @Test
  void aKeyOfAnotherClassAndASubclassAreRefusedToo() throws Exception {
    input("a.txt", "one\n".getBytes(StandardCharsets.UTF_8));
    assertThat(failure(job(LongKeyMapper.class).build().spec()).getCause())
        .hasMessage("map output key is java.lang.Long but the job declares java.lang.String "
            + "(mapOutput)");
    Throwable sub = failure(job(SubclassMapper.class).mapOutput(String.class, Base.class)
        .output(String.class, Base.class).build().spec());
    assertThat(sub.getCause()).hasMessage("map output value is " + Derived.class.getName()
        + " but the job declares " + Base.class.getName() + " (mapOutput); emit the declared "
        + "class itself: records are read back as that class");
  }

  @Test
  void nullValuesAndTheDeclaredClassesPass() throws Exception {
    input("a.txt", "b\na\n".getBytes(StandardCharsets.UTF_8));
    LocalJobRun run = new LocalJobRun(job(LineMapper.class).build().spec(), tmp).run();
    assertThat(run.mapCounters().get(TaskCounter.MAP_OUTPUT_RECORDS)).isEqualTo(2);
  }

  @Test
  void aMapperExceptionNamesTheFileTheRangeAndTheLine() throws Exception {
    Path file = input("a.txt", "ok\nfine\nbad\nlater\n".getBytes(StandardCharsets.UTF_8));
    Throwable t = failure(job(ThrowOnBad.class).build().spec());
    assertThat(t).isInstanceOf(InputFailure.class).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(t.toString()).isEqualTo("input " + file + " bytes 0-18, line at byte 8: "
        + "java.lang.IllegalStateException: cannot parse 'bad'");
  }

  @Test
  void aTruncatedGzipNamesTheFileAndTheDecompressedLine() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append("line ").append(i).append('\n');
    }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(text.toString().getBytes(StandardCharsets.US_ASCII));
    }
    byte[] whole = gz.toByteArray();
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    Path file = input("a.gz", cut);
    Throwable t = failure(job(LineMapper.class).build().spec());
    assertThat(t).isInstanceOf(InputFailure.class).hasCauseInstanceOf(EOFException.class);
    assertThat(t.toString()).startsWith("input " + file + " bytes 0-" + cut.length
        + ", line at byte ").contains(" of the decompressed data: java.io.EOFException: ");
  }

  @Test
  void aFileNamedGzThatIsNotGzipNamesTheFile() throws Exception {
    Path file = input("notes.gz", "plain text\n".getBytes(StandardCharsets.US_ASCII));
    Throwable t = failure(job(LineMapper.class).build().spec());
    assertThat(t).isInstanceOf(InputFailure.class).hasCauseInstanceOf(ZipException.class);
    assertThat(t.toString()).isEqualTo("input " + file + " bytes 0-11: "
        + "java.util.zip.ZipException: Not in GZIP format");
  }

  @Test
  void linesThatAreNotValidUtf8AreCountedAndAnotherCharsetReadsThem() throws Exception {
    byte[] latin1 = "café\nnaïve\nplain\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] realReplacement = "a \uFFFD in the text\n".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(latin1);
    all.write(realReplacement);
    input("a.txt", all.toByteArray());

    LocalJobRun utf8 = new LocalJobRun(job(LineMapper.class).build().spec(), tmp).run();
    // Two Latin-1 lines are malformed UTF-8; a line holding a real U+FFFD is not.
    assertThat(utf8.mapCounters().get(TaskCounter.MALFORMED_INPUT_RECORDS)).isEqualTo(2);
    assertThat(utf8.mapCounters().get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(4);

    Files.write(tmp.resolve("in").resolve("a.txt"), latin1);
    Path out2 = tmp.resolve("second");
    JobSpec latin = job(EchoMapper.class)
        .set(TextInputFormat.CHARSET, "ISO-8859-1").build().spec();
    LocalJobRun run = new LocalJobRun(latin, out2).run();
    assertThat(run.mapCounters().get(TaskCounter.MALFORMED_INPUT_RECORDS)).isZero();
    assertThat(String.join("\n", run.outputLines())).contains("café").contains("naïve");
  }
}
