package dev.quern.cli;

import dev.quern.master.client.ClusterClient;
import dev.quern.master.http.KillOutcome;
import dev.quern.master.http.json.JobDoc;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quern kill JOB}: asks the leader to kill a job. A job that already ended is not an
 * error (exit 0, as {@code yarn application -kill} treats a finished application): afterwards
 * the job does not run either way, and a kill repeated across a failover lands here.
 */
@Command(name = "kill", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Kills a running job (the leader does it; a follower sends the request on). "
        + "A job that already ended is left as it is, with exit code 0.",
    footer = JobApiOptions.EXIT_CODES)
final class KillCommand implements Callable<Integer> {
  @Mixin JobApiOptions api;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id, e.g. job-0001.")
  String job;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return api.run(spec, (client, out) -> {
      ClusterClient.KillReply k = client.kill(job);
      String state = k.state();
      switch (k.result()) {
        case NOT_FOUND -> {
          return JobApiOptions.fail(spec, k.message(), JobApiOptions.NO_SUCH_JOB);
        }
        case NOT_RUNNING -> state = client.job(job).map(JobDoc::state).orElse(state);
        case KILLING -> {
          // the answer carries the state after the kill
        }
      }
      if (api.json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", job);
        doc.put("result", k.result().name());
        doc.put("state", state);
        doc.put("message", k.message());
        doc.put("failure", k.failure());
        JobApiOptions.printJson(out, doc);
      } else if (k.result() == KillOutcome.Result.KILLING) {
        out.println("Killed " + job + (state == null ? "" : " (now " + state + ")")
            + (k.failure() == null ? "" : ": " + k.failure()));
      } else {
        out.println(job + " is not running" + (state == null ? "" : " (" + state + ")")
            + "; nothing to kill");
      }
      return JobApiOptions.OK;
    });
  }
}
