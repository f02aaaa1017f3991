package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import dev.quern.api.Counters;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.testkit.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The parts that make the command start and end quickly: each keeps what it replaced. */
class StartupPartsTest {

  /** A job that ends when released; records how the monitor waited on it. */
  private static class ReleasableJob implements JobHandle {
    final CountDownLatch end = new CountDownLatch(1);
    final List<String> waits = new CopyOnWriteArrayList<>();

    @Override
    public String id() {
      return "job-1";
    }

    @Override
    public JobStatus status() {
      return end.getCount() == 0
          ? new JobStatus("job-1", "wc", JobState.SUCCEEDED, 1, 1, new Counters(), null)
          : new JobStatus("job-1", "wc", JobState.RUNNING, 0.5, 0, new Counters(), null);
    }

    @Override
    public JobStatus awaitCompletion() {
      // The monitor must never wait without a bound: it redraws every refresh period.
      throw new AssertionError("the monitor waited on the job without a bound");
    }

    @Override
    public JobStatus awaitCompletion(Duration timeout) throws InterruptedException {
      waits.add(timeout.toString());
      end.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return status();
    }

    @Override
    public void kill() {}
  }

  @Test
  void progressMonitorWaitsOnTheJobSoItsEndIsSeenAtOnce() throws Exception {
    ReleasableJob job = new ReleasableJob();
    StringWriter out = new StringWriter();
    ProgressMonitor monitor = new ProgressMonitor(job, new PrintWriter(out, true), false);
    monitor.start();
    Await.until(Duration.ofSeconds(30), "the monitor to wait on the job",
        () -> !job.waits.isEmpty());
    job.end.countDown();
    monitor.awaitSummary();
    // It waited on the job (woken by its end), not a fixed sleep of the refresh period.
    assertThat(job.waits).first().isEqualTo(Duration.ofMillis(ProgressMonitor.REFRESH_MS)
        .toString());
    assertThat(out.toString()).contains("job-1 wc  RUNNING  map  50%  reduce   0%")
        .contains("job-1 wc SUCCEEDED in ");
    assertThat(monitor.last().state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void progressMonitorKeepsPollingWhenTheWaitFails() throws Exception {
    ReleasableJob failing = new ReleasableJob() {
      @Override
      public JobStatus awaitCompletion(Duration timeout) {
        waits.add("failed");
        end.countDown();
        throw new IllegalStateException("the local cluster was closed before the job ended");
      }
    };
    StringWriter out = new StringWriter();
    ProgressMonitor monitor = new ProgressMonitor(failing, new PrintWriter(out, true), false);
    monitor.start();
    monitor.awaitSummary();
    assertThat(out.toString()).contains("job-1 wc SUCCEEDED in ");
    // One failed wait, then the status read that saw the end.
    assertThat(failing.waits).containsExactly("failed");
  }

  @Test
  void loggingIsSetUpInCodeAsTheXmlDidIt() {
    LoggerContext context = new LoggerContext();
    LogbackSetup setup = new LogbackSetup();
    setup.setContext(context);
    assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.ERROR);
    var appender = root.getAppender("STDERR");
    assertThat(appender).isInstanceOf(ConsoleAppender.class);
    ConsoleAppender<?> console = (ConsoleAppender<?>) appender;
    assertThat(console.getTarget()).isEqualTo("System.err");
    assertThat(console.isStarted()).isTrue();
    assertThat(((PatternLayoutEncoder) console.getEncoder()).getPattern())
        .isEqualTo("%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n");
  }

  @Test
  void theCommandsLoggingComesFromTheConfiguratorService() {
    // The test JVM's logback found the service (no logback.xml is left on the class path).
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    assertThat(factory).isInstanceOf(LoggerContext.class);
    LoggerContext context = (LoggerContext) factory;
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    assertThat(StartupPartsTest.class.getResource("/logback.xml")).isNull();
  }

  @Test
  void aConfigurationFileGivenToTheJvmStillWins() {
    String key = "logback.configurationFile";
    String before = System.getProperty(key);
    System.setProperty(key, "/somewhere/logback.xml");
    try {
      LoggerContext context = new LoggerContext();
      LogbackSetup setup = new LogbackSetup();
      setup.setContext(context);
      assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void theArchiveMarkIsLeftOnlyWhenAsked(@TempDir Path dir) {
    String before = System.getProperty(ClassDataArchive.MARK);
    try {
      System.clearProperty(ClassDataArchive.MARK);
      ClassDataArchive.noteWorkload();
      Path mark = dir.resolve("quern-1.2.tmp.ran");
      System.setProperty(ClassDataArchive.MARK, mark.toString());
      ClassDataArchive.noteWorkload();
      assertThat(mark).exists();
      // An unwritable mark is not an error: the archive is simply not kept.
      System.setProperty(ClassDataArchive.MARK, dir.resolve("no/such/dir/mark").toString());
      ClassDataArchive.noteWorkload();
      assertThat(dir.resolve("no")).doesNotExist();
    } finally {
      if (before == null) {
        System.clearProperty(ClassDataArchive.MARK);
      } else {
        System.setProperty(ClassDataArchive.MARK, before);
      }
    }
  }

  @Test
  void warmingStartsOnlyForCommandsThatRunJobs() throws Exception {
    assertThat(StartupWarmer.startFor(new String[] {"ui"})).isNull();
    assertThat(StartupWarmer.startFor(new String[] {"--help"})).isNull();
    assertThat(StartupWarmer.startFor(new String[] {})).isNull();
    Thread warming = StartupWarmer.startFor(new String[] {"examples", "wordcount"});
    assertThat(warming).isNotNull();
    assertThat(warming.isDaemon()).isTrue();
    warming.join(Duration.ofSeconds(60).toMillis());
    assertThat(warming.isAlive()).as("the warming thread ended").isFalse();
  }
}
