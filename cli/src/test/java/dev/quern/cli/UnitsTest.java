package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.examples.wordcount.TokenizerMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command's small parts: --master parsing, spec stamping, report text. */
class UnitsTest {

  @Test
  void masterAddresses() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(MasterAddress.parse("local").workers()).isEqualTo(cores);
    assertThat(MasterAddress.parse("local[*]").workers()).isEqualTo(cores);
    assertThat(MasterAddress.parse("local[3]").workers()).isEqualTo(3);
    assertThatThrownBy(() -> MasterAddress.parse("local[0]"))
        .hasMessage("--master 'local[0]': the number of workers must be 1 to 256");
    assertThatThrownBy(() -> MasterAddress.parse("host:7070"))
        .hasMessageStartingWith("--master 'host:7070' is not supported");
  }

  @Test
  void stampingSetsTheJarAndPutsCommandLineEntriesOverTheJobs() {
    JobSpec spec = Job.builder("wc").input("in").output("out").mapper(TokenizerMapper.class)
        .mapOutput(String.class, Long.class).set("a", "job").set("b", "job").build().spec();
    JobSpec stamped = ReportingSubmitter.stamp(spec, "/jobs/wc.jar", Map.of("b", "cli", "c", "cli"));
    assertThat(stamped.jar()).isEqualTo("/jobs/wc.jar");
    assertThat(stamped.config()).containsExactlyInAnyOrderEntriesOf(
        Map.of("a", "job", "b", "cli", "c", "cli"));
    assertThat(stamped).usingRecursiveComparison().ignoringFields("jar", "config")
        .isEqualTo(spec);
  }

  @Test
  void reportLines() {
    Counters c = new Counters();
    c.increment(TaskCounter.MAP_INPUT_RECORDS, 1234);
    c.increment("app", "bad", 2);
    JobStatus running = new JobStatus("job-7", "wc", JobState.RUNNING, 0.456, 0, c, null);
    assertThat(JobReport.progressLine(running))
        .isEqualTo("job-7 wc  RUNNING  map  45%  reduce   0%");
    JobStatus failed = new JobStatus("job-7", "wc", JobState.FAILED, 1, 0.5, c,
        "task m-00001 attempt 2: boom\n\tat x.y(Z.java:1)");
    assertThat(JobReport.summary(failed, 2.04)).startsWith(
        "job-7 wc FAILED in 2.0 s: task m-00001 attempt 2: boom" + System.lineSeparator()
            + "  app" + System.lineSeparator() + "    bad")
        .contains("MAP_INPUT_RECORDS          1,234")
        .doesNotContain("\tat");
  }

  @Test
  void theSummaryQuotesTheJobsRunAndItsTimeFromSubmissionWhenLonger() {
    JobStatus ok = new JobStatus("job-1", "wc", JobState.SUCCEEDED, 1, 1, null, null);
    assertThat(JobReport.summary(ok, 49.84, 55.81))
        .isEqualTo("job-1 wc SUCCEEDED in 49.8 s (55.8 s from submission)");
    assertThat(JobReport.summary(ok, 2.0, 2.05)).isEqualTo("job-1 wc SUCCEEDED in 2.0 s");
    assertThat(JobReport.summary(ok, 2.0, Double.NaN)).isEqualTo("job-1 wc SUCCEEDED in 2.0 s");
  }

  @Test
  void oneLineErrors() {
    assertThat(Errors.oneLine(new RuntimeException(new IllegalStateException("x\ny"))))
        .isEqualTo("IllegalStateException: x");
    assertThat(Errors.oneLine(new CliException("jar a.jar does not exist")))
        .isEqualTo("jar a.jar does not exist");
    assertThat(Errors.oneLine(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
  }
}
