package dev.quern.cli;

import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
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

/** {@code quern status JOB}: one job's state, times, progress and counters. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Shows one job: state, times, progress of its maps and reduces, counters "
        + "(any master answers).",
    footer = JobApiOptions.EXIT_CODES)
final class StatusCommand implements Callable<Integer> {
  @Mixin JobApiOptions api;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id, e.g. job-0001.")
  String job;

  @Option(names = "--tasks", description = "Also list its tasks (with --json: {\"job\": ..., "
      + "\"tasks\": [...]}).")
  boolean tasks;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return api.run(spec, (client, out) -> {
      Optional<JobDoc> j = client.job(job);
      Optional<List<TaskDoc>> t = tasks && j.isPresent() ? client.tasks(job) : Optional.empty();
      if (j.isEmpty() || (tasks && t.isEmpty())) {
        return JobApiOptions.fail(spec, "no job '" + job + "' at "
            + String.join(",", client.masters().masters()), JobApiOptions.NO_SUCH_JOB);
      }
      if (api.json) {
        if (tasks) {
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("job", j.get());
          doc.put("tasks", t.get());
          JobApiOptions.printJson(out, doc);
        } else {
          JobApiOptions.printJson(out, j.get());
        }
      } else {
        JobText.lines(j.get()).forEach(out::println);
        if (tasks) {
          out.println();
          JobText.taskTable(t.get()).forEach(out::println);
        }
      }
      return JobApiOptions.OK;
    });
  }
}
