package dev.quern.worker.executor;

import dev.quern.worker.cluster.TaskSpecCodec;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The framing of the channel between a worker and its executor JVM: the executor's stdin
 * (worker to executor) and stdout (executor to worker). A frame is {@code int MAGIC}, {@code int
 * length}, then {@code length} bytes: a type byte and its fields in {@link DataOutputStream} form
 * (attempts, tasks, counters and map outputs as {@link TaskSpecCodec} writes them). No class name
 * travels; a stray byte on the executor's stdout (which it keeps for frames only) breaks the
 * magic and ends the executor with a clear error rather than a misread message.
 */
final class ExecutorFrames {
  static final int MAGIC = 0x51584631; // "QXF1"
  static final int MAX_FRAME = 256 << 20;

  // worker -> executor
  /** A task to run: the spec. */
  static final byte RUN = 1;
  /** Interrupt an attempt. */
  static final byte KILL = 2;
  /** A reduce's map outputs changed: the added refs, then the withdrawn map attempts. */
  static final byte OUTPUTS = 3;
  /**
   * The job ended: the executor checks what the job left behind ({@link JobLeftovers}) and
   * answers {@link #RELEASED}; clean, it then waits for the next job's bind as a spare does.
   */
  static final byte RELEASE = 4;

  // executor -> worker
  /** An attempt's progress fraction. */
  static final byte PROGRESS = 11;
  /** An attempt ended well: its counters and, for a map with reduces, its output. */
  static final byte DONE = 12;
  /** An attempt's user code or data path threw: message, stack trace, lost map output or none. */
  static final byte FAILED = 13;
  /** An attempt stopped after a KILL. */
  static final byte KILLED = 14;
  /** The JVM is shutting down (System.exit) while the attempt runs: where its thread was. */
  static final byte EXITING = 15;
  /** The answer to a {@link #RELEASE}: why the JVM must not serve another job, or null. */
  static final byte RELEASED = 16;

  private ExecutorFrames() {}

  /** One frame's body, built in memory and written whole (under the writer's lock). */
  static final class Body extends DataOutputStream {
    Body(byte type) throws IOException {
      super(new ByteArrayOutputStream());
      writeByte(type);
    }

    Body attempt(TaskAttemptId id) throws IOException {
      TaskSpecCodec.writeAttempt(this, id);
      return this;
    }

    Body text(String s) throws IOException {
      writeText(this, s);
      return this;
    }

    Body output(MapOutputRef ref) throws IOException {
      writeBoolean(ref != null);
      if (ref != null) {
        TaskSpecCodec.writeMapOutput(this, ref);
      }
      return this;
    }

    byte[] bytes() throws IOException {
      flush();
      return ((ByteArrayOutputStream) out).toByteArray();
    }
  }

  /** Writes one frame and flushes. Callers hold the stream's lock. */
  static void write(OutputStream out, Body body) throws IOException {
    byte[] b = body.bytes();
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(MAGIC);
    d.writeInt(b.length);
    d.write(b);
    d.flush();
  }

  /** The next frame's body, or null at the end of the stream. */
  static DataInputStream read(DataInputStream in) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    if (magic != MAGIC) {
      throw new IOException("not a frame of the executor channel (magic " + Integer.toHexString(
          magic) + "): did something else write to the executor's stdout?");
    }
    int n = in.readInt();
    if (n < 1 || n > MAX_FRAME) {
      throw new IOException("executor frame of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new DataInputStream(new java.io.ByteArrayInputStream(b));
  }

  /** A nullable string of any length (a stack trace may pass 64 KiB). */
  static void writeText(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readText(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > MAX_FRAME) {
      throw new IOException("a string of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static MapOutputRef readOutput(DataInputStream in) throws IOException {
    return in.readBoolean() ? TaskSpecCodec.readMapOutput(in) : null;
  }
}
