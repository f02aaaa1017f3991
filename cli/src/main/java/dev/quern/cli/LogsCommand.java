package dev.quern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.client.ClusterClient;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.TaskDoc;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quern logs JOB [--task T] [--attempt A] [--stream S]}: what task attempts printed to
 * stdout and stderr and logged through slf4j, fetched by the leader from the worker that ran
 * each ({@code GET /api/v1/jobs/{job}/attempts/{attempt}/logs/{stream}}, 1 MiB per request).
 * One attempt and one stream print as they are; more print each under a {@code ==> ... <==}
 * header, as {@code tail} does for several files.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Prints task attempts' stdout, stderr and log lines (cluster mode: kept on the "
        + "worker that ran each attempt for quern.worker.logs.retention).",
    footer = "Exit codes: 0 done, 2 bad command line, 3 no such job, task or attempt (or the "
        + "worker kept no logs of it), 4 no master answered, the worker is gone, or the logs "
        + "expired.")
final class LogsCommand implements Callable<Integer> {
  private static final int REQUEST = 1 << 20;

  @Mixin JobApiOptions api;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id, e.g. job-0001.")
  String job;

  @Option(names = "--task", paramLabel = "T", description = "A task, e.g. m-00002 or r-00000 "
      + "(default: every task).")
  String task;

  @Option(names = "--attempt", paramLabel = "A", description = "An attempt number of the task, "
      + "from 1 (default: every attempt).")
  Integer attempt;

  @Option(names = "--stream", paramLabel = "S", description = "stdout, stderr or log "
      + "(default: all three).")
  String stream;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> streams = stream == null ? List.of("stdout", "stderr", "log") : List.of(stream);
    if (stream != null && !List.of("stdout", "stderr", "log").contains(stream)) {
      throw new UsageException("--stream: stdout, stderr or log, got '" + stream + "'");
    }
    if (attempt != null && attempt < 1) {
      throw new UsageException("--attempt: attempts count from 1, got " + attempt);
    }
    return api.run(spec, (client, out) -> {
      Optional<List<TaskDoc>> tasks = client.tasks(job);
      if (tasks.isEmpty()) {
        return JobApiOptions.fail(spec, "no job " + job, JobApiOptions.NO_SUCH_JOB);
      }
      List<AttemptDoc> chosen = new ArrayList<>();
      boolean taskSeen = false;
      for (TaskDoc t : tasks.get()) {
        if (task != null && !t.id().equals(task)) {
          continue;
        }
        taskSeen = true;
        for (AttemptDoc a : t.attempts()) {
          if ((attempt == null || a.attempt() == attempt) && a.worker() != null
              && !a.worker().isEmpty()) {
            chosen.add(a);
          }
        }
      }
      if (!taskSeen) {
        return JobApiOptions.fail(spec, "job " + job + " has no task " + task + " (its tasks: "
            + String.join(", ", tasks.get().stream().map(TaskDoc::id).toList()) + ")",
            JobApiOptions.NO_SUCH_JOB);
      }
      if (chosen.isEmpty()) {
        return JobApiOptions.fail(spec, "job " + job + " has no attempt"
            + (task == null ? "" : " of task " + task) + (attempt == null ? "" : " #" + attempt)
            + " that ran on a worker", JobApiOptions.NO_SUCH_JOB);
      }
      boolean headers = chosen.size() > 1 || streams.size() > 1;
      int code = JobApiOptions.OK;
      List<Map<String, Object>> docs = new ArrayList<>();
      for (AttemptDoc a : chosen) {
        for (String s : streams) {
          Fetched f = fetch(client, a, s);
          if (f.error != null) {
            code = Math.max(code, f.code);
            JobApiOptions.fail(spec, f.error, f.code);
            continue;
          }
          if (api.json) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("attempt", a.id());
            d.put("worker", a.worker());
            d.put("stream", s);
            d.put("text", f.text);
            docs.add(d);
          } else {
            if (headers) {
              out.println("==> " + a.id() + " " + s + " (worker " + a.worker() + ") <==");
            }
            out.print(f.text);
            if (headers && !f.text.isEmpty() && !f.text.endsWith("\n")) {
              out.println();
            }
          }
        }
      }
      if (api.json) {
        JobApiOptions.printJson(out, docs);
      }
      return code;
    });
  }

  private record Fetched(String text, String error, int code) {}

  /** The whole stream of attempt {@code a}, or why not. */
  private Fetched fetch(ClusterClient client, AttemptDoc a, String s) {
    String name = a.id().substring(job.length() + 1).replace('/', '_'); // m-00002/1 -> m-00002_1
    String base = ClusterClient.JOBS + "/" + URLEncoder.encode(job, StandardCharsets.UTF_8)
        + "/attempts/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/logs/" + s;
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      ClusterClient.Response r = client.get(base + "?offset=" + all.size() + "&length="
          + REQUEST);
      if (r.status() != 200) {
        String message = errorOf(r);
        return new Fetched(null, "attempt " + a.id() + " " + s + ": " + message,
            r.status() == 404 ? JobApiOptions.NO_SUCH_JOB : JobApiOptions.UNREACHABLE);
      }
      all.write(r.body(), 0, r.body().length);
      if (r.body().length < REQUEST) {
        return new Fetched(all.toString(StandardCharsets.UTF_8), null, 0);
      }
    }
  }

  private static String errorOf(ClusterClient.Response r) {
    try {
      JsonNode n = new ObjectMapper().readTree(r.body());
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (java.io.IOException e) {
      // not JSON
    }
    return r.status() + " " + r.text();
  }
}
