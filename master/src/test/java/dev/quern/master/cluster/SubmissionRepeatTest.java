package dev.quern.master.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.api.Mapper;
import dev.quern.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A submission sent twice (a client that lost the answer) is one job: three real masters, the
 * same body posted to the leader and to a follower (which redirects) is answered with the same
 * job id, and every master's book holds one job; another submission for the same output is
 * refused, and so is one whose split list is over what one log entry takes.
 */
@Timeout(240)
class SubmissionRepeatTest {
  static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;
  final InProcessMasters group = new InProcessMasters();
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    group.close();
  }

  /** Never runs: no worker joins this cluster. */
  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  record Answer(int code, JsonNode body, String location) {}

  /**
   * {@code POST} as the client does it: a 503 (a leader elected a moment ago whose job leader has
   * not started its session, or an election) is sent again, within the bound.
   */
  Answer post(String hostPort, byte[] body) {
    return Await.value(BOUND, "an answer other than 503 from " + hostPort, () -> {
      Answer a;
      try {
        a = postOnce(hostPort, body);
      } catch (Exception e) {
        throw new AssertionError("POST to " + hostPort + " failed", e);
      }
      return a.code() == 503 ? null : a;
    });
  }

  Answer postOnce(String hostPort, byte[] body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort
            + ClusterHttp.JOBS)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), InProcessMasters.JSON.readTree(r.body()),
        r.headers().firstValue("Location").orElse(""));
  }

  JobSpec spec(Path in, Path out) {
    return Job.builder("repeat").input(in.toString()).output(out.toString())
        .mapper(NoMapper.class).mapOutput(String.class, Long.class).reduceTasks(1)
        .build().spec();
  }

  @Test
  void aRepeatedSubmissionIsTheSameJob() throws Exception {
    Path in = Files.writeString(tmp.resolve("in.txt"), "a b a\n");
    Path out = tmp.resolve("out");
    group.start(tmp.resolve("masters"));
    String leader = group.awaitLeader(BOUND);
    String follower = group.masters.keySet().stream().filter(id -> !id.equals(leader))
        .findFirst().orElseThrow();
    List<BookSplit> splits = List.of(new BookSplit.File(new FileSplit(in.toString(), 0,
        Files.size(in), List.of())));
    JobSpec stamped = SubmissionIds.stamp(spec(in, out));
    assertEquals(stamped, SubmissionIds.stamp(stamped), "a stamped spec keeps its id");
    byte[] body = SubmissionWire.encode(stamped, splits);

    Answer first = post(group.httpOf.get(leader), body);
    assertEquals(202, first.code(), first::toString);
    String id = first.body().path("id").asText();
    Answer again = post(group.httpOf.get(leader), body);
    assertEquals(202, again.code(), again::toString);
    assertEquals(id, again.body().path("id").asText(), "the repeat names the same job");
    // Through a follower: redirected to the leader, still the same job.
    Answer redirected = post(group.httpOf.get(follower), body);
    assertEquals(307, redirected.code(), redirected::toString);
    Answer third = post(redirected.location().replaceFirst("^http://", "")
        .replaceFirst(ClusterHttp.JOBS + "$", ""), body);
    assertEquals(id, third.body().path("id").asText(), third::toString);

    // A different submission for the same output is a second job, and refused for its output.
    Answer other = post(group.httpOf.get(leader),
        SubmissionWire.encode(SubmissionIds.stamp(spec(in, out)), splits));
    assertEquals(400, other.code(), other::toString);
    assertTrue(other.body().path("error").asText().contains(id), other::toString);

    // A split list over what one log entry takes is refused with a reason, before the log.
    List<BookSplit> many = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      many.add(new BookSplit.File(new FileSplit(in + "-" + i, 0, 1, List.of())));
    }
    Answer huge = post(group.httpOf.get(leader), SubmissionWire.encode(
        SubmissionIds.stamp(spec(in, tmp.resolve("out-huge"))), many));
    assertEquals(413, huge.code(), huge::toString);
    assertTrue(huge.body().path("error").asText().contains("2000 input splits"), huge::toString);

    for (String m : group.masters.keySet()) {
      List<String> ids = Await.value(BOUND, "master " + m + " lists the job", () -> {
        List<String> listed = new ArrayList<>();
        group.getJson(group.httpOf.get(m), "/api/v1/jobs").ifPresent(doc -> {
          JsonNode jobs = doc.isArray() ? doc : doc.path("jobs");
          jobs.forEach(j -> listed.add(j.path("id").asText()));
        });
        return listed.isEmpty() ? null : listed;
      });
      assertEquals(List.of(id), ids, "master " + m + " holds one job");
    }
  }
}
