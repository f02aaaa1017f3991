package dev.quern.worker.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logback appender of an executor JVM that writes each event logged on an attempt's thread
 * (or a thread it started: the same inheritable mark as {@link ThreadRouting}) to that attempt's
 * {@code log} file, at {@code INFO} and above. The JVM's other appenders stop seeing those events
 * (they are the attempt's, and would otherwise land in its stdout or stderr through the routed
 * console) and keep the level they had; under a tee ({@link ThreadRouting#tee()}, local mode)
 * this appender prints those the console showed before to the console itself. Without logback as the slf4j binding nothing is kept:
 * {@link #install} says so.
 */
public final class AttemptLogAppender extends AppenderBase<ILoggingEvent> {
  static final String NAME = "quern-attempt-logs";
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

  private final PatternLayout layout = new PatternLayout();
  /** The level the JVM's appenders showed before; under a tee, the console still gets those. */
  private Level consoleLevel = Level.DEBUG;

  private AttemptLogAppender() {}

  /**
   * Adds the appender to the root logger if logback is the slf4j binding; returns whether it
   * did.
   */
  public static boolean install() {
    ILoggerFactory f = LoggerFactory.getILoggerFactory();
    if (!(f instanceof LoggerContext context)) {
      return false;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(NAME) != null) {
      return true; // once per JVM (a second local cluster in one process, say)
    }
    Level before = root.getLevel() == null ? Level.DEBUG : root.getLevel();
    List<Appender<ILoggingEvent>> others = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      others.add(it.next());
    }
    for (Appender<ILoggingEvent> a : others) {
      a.addFilter(new Filter<>() {
        @Override
        public FilterReply decide(ILoggingEvent e) {
          return ThreadRouting.current() != null || !e.getLevel().isGreaterOrEqual(before)
              ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
      });
    }
    AttemptLogAppender a = new AttemptLogAppender();
    a.consoleLevel = before;
    a.setContext(context);
    a.setName(NAME);
    a.layout.setContext(context);
    a.layout.setPattern(PATTERN);
    a.layout.start();
    a.start();
    root.addAppender(a);
    if (before.toInt() > Level.INFO.toInt()) {
      root.setLevel(Level.INFO); // the attempts' INFO lines; the filters keep the rest as it was
    }
    return true;
  }

  @Override
  protected void append(ILoggingEvent e) {
    AttemptOutput o = ThreadRouting.current();
    if (o == null || !e.getLevel().isGreaterOrEqual(Level.INFO)) {
      return;
    }
    OutputStream out = o.stream(LogStream.LOG);
    if (out != null) {
      String line = layout.doLayout(e);
      try {
        out.write(line.getBytes(StandardCharsets.UTF_8));
      } catch (java.io.IOException ex) {
        // CappedOutput does not throw
      }
      // Local mode: what the console showed of a task's logging it still shows (the console
      // appenders are denied the event, since through the routed System.out it would land in
      // the attempt's stdout file).
      if (ThreadRouting.tee() && e.getLevel().isGreaterOrEqual(consoleLevel)) {
        ThreadRouting.console().print(line);
      }
    }
  }
}
