package dev.quern.master.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.JobHandle;
import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import dev.quern.master.cluster.ClusterHttp;
import dev.quern.master.cluster.SubmissionIds;
import dev.quern.master.cluster.SubmissionWire;
import dev.quern.master.local.SubmissionPlan;
import dev.quern.master.client.ClusterClient;
import dev.quern.master.client.ClusterUnavailableException;
import dev.quern.master.client.MasterList;
import dev.quern.master.cluster.jars.BlobKind;
import dev.quern.master.cluster.jars.JarUpload;
import dev.quern.master.engine.SplitListCodec;
import dev.quern.master.engine.StoredSplits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Submits jobs to a cluster of master processes, as {@code hadoop jar} does: the driver runs in
 * this JVM, which checks the job and plans its splits with the job's own classes, stores the jar
 * and the split list on the masters (by SHA-256), then hands the leader the spec and the list's
 * hash. The handle follows the job through any master.
 *
 * <pre>{@code
 * JobSubmitter cluster = ClusterSubmitter.connect("quern://127.0.0.1:8081,127.0.0.1:8082");
 * JobStatus s = job.submit(cluster).awaitCompletion();
 * }</pre>
 */
public final class ClusterSubmitter implements dev.quern.api.JobSubmitter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long one status read may wait on one master before the next is asked. */
  static final Duration STATUS_REQUEST = Duration.ofSeconds(5);

  private final ClusterClient client;

  public ClusterSubmitter(ClusterClient client) {
    this.client = client;
  }

  /**
   * A submitter for {@code quern://host:port,...}, riding out failovers of up to a minute; a
   * request may wait as long as the leader waits for its log (a jar upload, an acceptance).
   */
  public static ClusterSubmitter connect(String address) {
    return connect(address, dev.quern.worker.security.ClusterAccess.fromEnvironment());
  }

  /**
   * As {@link #connect(String)}, reaching the masters as {@code access} says (a secured
   * cluster: HTTPS trusting its CA, with its client token).
   */
  public static ClusterSubmitter connect(String address,
      dev.quern.worker.security.ClusterAccess access) {
    return new ClusterSubmitter(ClusterClient.create(MasterList.parse(address),
        ClusterClient.Settings.defaults().withRetryFor(Duration.ofSeconds(60))
            .withRequestTimeout(Duration.ofSeconds(60)), access));
  }

  @Override
  public JobHandle submit(JobSpec spec) {
    SubmissionPlan plan = SubmissionPlan.of(spec);
    ClusterClient.Response a;
    try {
      JobSpec stored = plan.spec().jar() == null ? plan.spec() : withJar(plan.spec(),
          upload(Path.of(plan.spec().jar())));
      // The split list goes to the masters' split store first, as the jar does: the job's log
      // entry names it by hash, so the entry is the size of the spec however many splits.
      byte[] list = SplitListCodec.encode(plan.splits());
      StoredSplits splits = SplitListCodec.ref(list, plan.splits().size());
      byte[] body = SubmissionWire.encode(SubmissionIds.stamp(stored), splits);
      String tooLarge = SubmissionWire.tooLarge(spec.name(), body.length, 0);
      if (tooLarge != null) {
        throw new JobSubmissionException(tooLarge);
      }
      upload(BlobKind.SPLITS, list, splits.sha256(), "the split list of job " + spec.name());
      // Safe to repeat (a connection lost mid-answer, a deposed leader): the submission id
      // makes the leader answer a repeat with the job the first copy became.
      a = client.postIdempotent(ClusterHttp.JOBS, "application/octet-stream", body);
      if (a.status() == 409) {
        // No master holds the list any more (retention dropped an identical one meanwhile).
        upload(BlobKind.SPLITS, list, splits.sha256(), "the split list of job " + spec.name());
        a = client.postIdempotent(ClusterHttp.JOBS, "application/octet-stream", body);
      }
    } catch (IOException | ClusterUnavailableException e) {
      throw new JobSubmissionException("job " + spec.name() + " could not be submitted: "
          + e.getMessage(), e);
    }
    JsonNode doc = read(a.text());
    if (a.status() != 202 || !doc.hasNonNull("id")) {
      String error = doc.hasNonNull("error") ? doc.get("error").asText() : a.text();
      throw new JobSubmissionException(error.startsWith("job ") ? error
          : "job " + spec.name() + " was refused: " + error);
    }
    return new RemoteJobHandle(doc.get("id").asText(), polling());
  }

  /**
   * Stores the jar on a majority of masters (the leader answers once it has); the reference
   * ({@code sha256:HEX}) is what workers fetch.
   */
  private String upload(Path jar) throws IOException {
    String sha = JarUpload.sha256(jar);
    upload(BlobKind.JAR, Files.readAllBytes(jar), sha, "the job jar " + jar);
    return JarUpload.reference(sha);
  }

  /** Stores {@code bytes} of hash {@code sha} in the masters' store of {@code kind}. */
  private void upload(BlobKind kind, byte[] bytes, String sha, String what) throws IOException {
    // Content-addressed: storing it twice is harmless, so a lost answer is retried.
    ClusterClient.Response a = client.postIdempotent(kind.path(), kind.contentType(), bytes);
    JsonNode doc = read(a.text());
    if (a.status() != 201 || !sha.equals(doc.path("sha256").asText())) {
      throw new IOException(what + " was not stored: HTTP " + a.status() + " "
          + (doc.hasNonNull("error") ? doc.get("error").asText() : a.text()));
    }
  }

  private static JobSpec withJar(JobSpec s, String jar) {
    return new JobSpec(s.name(), s.user(), jar, s.inputPaths(), s.outputPath(), s.inputFormat(),
        s.outputFormat(), s.mapper(), s.combiner(), s.reducer(), s.partitioner(),
        s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(), s.outputKeyClass(),
        s.outputValueClass(), s.sortComparator(), s.groupingComparator(), s.config());
  }

  /** The handle of a job already submitted (e.g. by {@code --detach}). */
  public JobHandle handle(String jobId) {
    return new RemoteJobHandle(jobId, polling());
  }

  /**
   * The client a job's handle reads its status with: the same minute of retries, but each
   * request bounded by {@link #STATUS_REQUEST}. The upload's minute per request would keep a
   * waiting client on a leader cut off from the others (it accepts connections and never
   * answers) for a minute after the job ended elsewhere.
   */
  private ClusterClient polling() {
    return client.withSettings(client.settings().withRequestTimeout(STATUS_REQUEST));
  }

  static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("error", body);
    }
  }
}
