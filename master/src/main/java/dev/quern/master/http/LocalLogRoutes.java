package dev.quern.master.http;

import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.LogStream;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/jobs/{job}/attempts/{attempt}/logs/{stream}?offset=&length=} on a local UI
 * (a local run's, and {@code quern ui}'s history): the same route, answers and headers as a
 * master's ({@code AttemptLogRoutes}), read from this machine's local attempt logs ({@link
 * LocalAttemptLogs}) instead of asked of a worker. So the UI's log links and {@code quern logs
 * --master quern://127.0.0.1:UI_PORT} work in local mode, while the job runs and afterwards.
 */
final class LocalLogRoutes {
  static final String PATH = ApiRoutes.PREFIX + "/jobs/{job}/attempts/{attempt}/logs/{stream}";
  private static final Pattern ARCHIVED = Pattern.compile("(.+)\\.[0-9]+");
  private static final Pattern ATTEMPT = Pattern.compile("([mr]-[0-9]{1,9})_([0-9]{1,9})");

  private final MonitoringSource source;
  private final LocalAttemptLogs logs;

  private LocalLogRoutes(MonitoringSource source, LocalAttemptLogs logs) {
    this.source = source;
    this.logs = logs;
  }

  static void register(RoutesConfig routes, MonitoringSource source, LocalAttemptLogs logs) {
    routes.get(PATH, new LocalLogRoutes(source, logs)::logs);
  }

  private void logs(Context ctx) {
    String job = ctx.pathParam("job");
    String attempt = ctx.pathParam("attempt");
    Matcher m = ATTEMPT.matcher(attempt);
    if (!m.matches()) {
      throw ApiException.badRequest("not an attempt: '" + attempt + "' (the task and the "
          + "attempt number, e.g. m-00002_1)");
    }
    LogStream stream = switch (ctx.pathParam("stream")) {
      case "stdout" -> LogStream.STDOUT;
      case "stderr" -> LogStream.STDERR;
      case "log" -> LogStream.LOG;
      default -> throw ApiException.badRequest("not a log stream: '" + ctx.pathParam("stream")
          + "' (stdout, stderr or log)");
    };
    LogRange range;
    try {
      range = LogRange.parse(ctx.queryParam("offset"), ctx.queryParam("length"));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    long offset = range.offset();
    int length = range.length();
    JobDoc doc = source.job(job).orElseThrow(() -> ApiException.notFound("no job " + job));
    // An earlier run's job of the same id is kept in history as ID.SUBMIT_TIME (HistoryStore);
    // its attempts and its logs still go by the id it ran under.
    Matcher archived = ARCHIVED.matcher(job);
    String dirName = archived.matches() ? archived.group(1) : job;
    String id = dirName + "/" + m.group(1) + "/" + m.group(2);
    String worker = worker(job, id);
    Instant submitted = doc.submitTime() == null ? null
        : Instant.ofEpochMilli(doc.submitTime());
    AttemptLogs run = logs.runOf(dirName, submitted).orElseThrow(() -> ApiException.notFound(
        "no logs of job " + job + " in " + logs.base() + " (kept for "
            + AttemptLogs.RETENTION_KEY + ", or removed)"));
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long size = 0;
    long at = offset;
    try {
      while (true) {
        int want = (int) Math.min(AttemptLogs.MAX_CHUNK, length - got.size());
        AttemptLogs.Chunk c = run.read(dirName, attempt, stream, at, want);
        size = c.size();
        got.write(c.bytes(), 0, c.bytes().length);
        at += c.bytes().length;
        if (c.bytes().length < want || want == 0 || got.size() >= length) {
          break;
        }
      }
    } catch (AttemptLogs.LogsUnavailable e) {
      throw new ApiException(e.why() == AttemptLogs.Missing.EXPIRED ? 410 : 404, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot read the logs of " + id + ": " + e);
    }
    ctx.status(200).contentType("text/plain; charset=utf-8")
        .header("X-Quern-Log-Size", Long.toString(size))
        .header("X-Quern-Log-Offset", Long.toString(offset))
        .header("X-Quern-Worker", worker)
        .result(got.toByteArray());
  }

  /** The worker of attempt {@code id}; 404 when the job has no such attempt or it never ran. */
  private String worker(String job, String id) {
    List<TaskDoc> tasks = source.tasks(job).orElse(List.of());
    for (TaskDoc t : tasks) {
      for (AttemptDoc a : t.attempts()) {
        if (a.id().equals(id)) {
          if (a.worker() == null || a.worker().isEmpty()) {
            throw ApiException.notFound("attempt " + id + " has not started on a worker");
          }
          return a.worker();
        }
      }
    }
    throw ApiException.notFound("job " + job + " has no attempt "
        + id.substring(id.indexOf('/') + 1));
  }
}
