package dev.quern.worker.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Routes {@code System.out} and {@code System.err} by thread: what a thread marked with an
 * attempt ({@link #enter}) prints goes to that attempt's {@code stdout} or {@code stderr} file;
 * what any other thread prints goes where it went before {@link #install}. The mark is
 * inheritable: a thread that a task starts writes to the task's files too (a thread started by
 * an attempt's thread, even one that outlives it: after the attempt ended, its writes go to the
 * fallback). Several attempts may run at once in one JVM, each to its own files.
 */
public final class ThreadRouting {
  private static final InheritableThreadLocal<AttemptOutput> CURRENT =
      new InheritableThreadLocal<>();
  /** The streams {@link #install} set; if {@code System.out} is no longer one, it installs again. */
  private static PrintStream installedOut;
  private static PrintStream installedErr;
  /** Marked threads' output also goes to the fallback (local mode: the driver's console). */
  private static volatile boolean tee;
  /** {@code System.out} as it was before {@link #install}. */
  private static volatile PrintStream console = System.out;

  private ThreadRouting() {}

  /**
   * Replaces {@code System.out} and {@code System.err} with routing streams (once per JVM; later
   * calls do nothing, unless something put other streams there since: a test that captured and
   * restored them, say). What unmarked threads print still goes to the streams they replace.
   */
  public static synchronized void install() {
    install(false);
  }

  /**
   * As {@link #install()}; with {@code alsoToConsole}, what a marked thread prints goes to its
   * attempt's file and also where it went before (local mode: a task's output stays on the
   * driver's console, as it always was, and is kept per attempt too). Once set, it stays.
   */
  public static synchronized void install(boolean alsoToConsole) {
    if (alsoToConsole) {
      tee = true;
    }
    if (System.out != installedOut) {
      console = System.out;
      installedOut = routing(LogStream.STDOUT, System.out);
      System.setOut(installedOut);
    }
    if (System.err != installedErr) {
      installedErr = routing(LogStream.STDERR, System.err);
      System.setErr(installedErr);
    }
  }

  /** A print stream that writes {@code stream} of the current thread's attempt, else to {@code fallback}. */
  public static PrintStream routing(LogStream stream, PrintStream fallback) {
    return new PrintStream(new Router(stream, fallback), true);
  }

  /** Marks the current thread (and the threads it starts from now on) as running {@code out}'s attempt. */
  public static void enter(AttemptOutput out) {
    CURRENT.set(out);
  }

  /** Unmarks the current thread. */
  public static void leave() {
    CURRENT.remove();
  }

  /** Whether marked threads' output also goes to the console ({@link #install(boolean)}). */
  public static boolean tee() {
    return tee;
  }

  /** {@code System.out} as it was before {@link #install}: the console, whatever thread prints. */
  public static PrintStream console() {
    return console;
  }

  /** The attempt the current thread writes for, or null (none, or it ended). */
  public static AttemptOutput current() {
    AttemptOutput o = CURRENT.get();
    return o == null || o.closed() ? null : o;
  }

  private static final class Router extends OutputStream {
    private final LogStream stream;
    private final PrintStream fallback;

    Router(LogStream stream, PrintStream fallback) {
      this.stream = stream;
      this.fallback = fallback;
    }

    private OutputStream target() {
      AttemptOutput o = CURRENT.get();
      OutputStream s = o == null ? null : o.stream(stream);
      return s == null ? fallback : s;
    }

    @Override
    public void write(int b) throws IOException {
      OutputStream t = target();
      t.write(b);
      if (tee && t != fallback) {
        fallback.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      OutputStream t = target();
      t.write(b, off, len);
      if (tee && t != fallback) {
        fallback.write(b, off, len);
      }
    }

    @Override
    public void flush() {
      fallback.flush();
    }
  }
}
