package dev.quern.master.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.JobHandle;
import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import dev.quern.master.cluster.ClusterHttp;
import dev.quern.master.cluster.SubmissionWire;
import dev.quern.master.local.SubmissionPlan;
import java.io.IOException;
import java.time.Duration;

/**
 * Submits jobs to a cluster of master processes, as {@code hadoop jar} does: the driver runs in
 * this JVM, which checks the job and plans its splits with the job's own classes, then hands the
 * leader the spec and the splits. The handle follows the job through any master.
 *
 * <pre>{@code
 * JobSubmitter cluster = ClusterSubmitter.connect("quern://127.0.0.1:8081,127.0.0.1:8082");
 * JobStatus s = job.submit(cluster).awaitCompletion();
 * }</pre>
 */
public final class ClusterSubmitter implements dev.quern.api.JobSubmitter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MasterLink link;

  public ClusterSubmitter(MasterLink link) {
    this.link = link;
  }

  /** A submitter for {@code quern://host:port,...}, riding out failovers of up to a minute. */
  public static ClusterSubmitter connect(String address) {
    return new ClusterSubmitter(new MasterLink(MasterLink.parse(address), Duration.ofSeconds(60)));
  }

  @Override
  public JobHandle submit(JobSpec spec) {
    SubmissionPlan plan = SubmissionPlan.of(spec);
    byte[] body = SubmissionWire.encode(plan.spec(), plan.splits());
    MasterLink.Answer a;
    try {
      a = link.post(ClusterHttp.JOBS, "application/octet-stream", body);
    } catch (IOException e) {
      throw new JobSubmissionException("job " + spec.name() + " could not be submitted: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobSubmissionException("interrupted while submitting job " + spec.name(), e);
    }
    JsonNode doc = read(a.body());
    if (a.status() != 202 || !doc.hasNonNull("id")) {
      String error = doc.hasNonNull("error") ? doc.get("error").asText() : a.body();
      throw new JobSubmissionException(error.startsWith("job ") ? error
          : "job " + spec.name() + " was refused: " + error);
    }
    return new RemoteJobHandle(doc.get("id").asText(), link);
  }

  /** The handle of a job already submitted (e.g. by {@code --detach}). */
  public JobHandle handle(String jobId) {
    return new RemoteJobHandle(jobId, link);
  }

  static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("error", body);
    }
  }
}
