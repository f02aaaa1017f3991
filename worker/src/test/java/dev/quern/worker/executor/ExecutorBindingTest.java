package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A warm spare learns its job from the bind frame, with what an executor started for that job
 * would have found in its environment (a secured cluster's per-job shuffle key): the spare was
 * started before the job was known, so its real environment cannot hold the key.
 */
class ExecutorBindingTest {

  private static DataInputStream channel(ExecutorFrames.Body frame) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecutorFrames.write(out, frame);
    return new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
  }

  @Test
  void aSpareTakesTheJobAndItsVariablesFromTheBindFrame() throws IOException {
    Map<String, String> env = Map.of("QUERN_SHUFFLE_KEY", "k-of-job-7", "QUERN_SHUFFLE_CA", "Q0E=");
    ExecutorBinding b = ExecutorBinding.await(ExecutorBinding.SPARE,
        channel(ExecutorBinding.frame("job-0007", null, env)), Map.of("QUERN_SHUFFLE_KEY", "stale"));
    assertThat(b.jobId()).isEqualTo("job-0007");
    assertThat(b.env()).isEqualTo(env);
    assertThat(b.loader()).isSameAs(ClassLoader.getSystemClassLoader());
  }

  @Test
  void anExecutorStartedForItsJobKeepsItsEnvironment() throws IOException {
    Map<String, String> started = Map.of("QUERN_SHUFFLE_KEY", "k");
    ExecutorBinding b = ExecutorBinding.await("job-0001",
        new DataInputStream(new ByteArrayInputStream(new byte[0])), started);
    assertThat(b.jobId()).isEqualTo("job-0001");
    assertThat(b.env()).isEqualTo(started);
  }

  @Test
  void aBindFrameWithAnUnreadableJarNamesTheJobAndTheJar() throws IOException {
    assertThatThrownBy(() -> ExecutorBinding.await(ExecutorBinding.SPARE, channel(
        ExecutorBinding.frame("job-0002", java.nio.file.Path.of("/nonexistent/job.jar"), Map.of())),
        Map.of()))
        .isInstanceOf(IOException.class).hasMessageContaining("job-0002")
        .hasMessageContaining("/nonexistent/job.jar");
  }
}
