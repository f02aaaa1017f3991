package dev.quern.cli;

import dev.quern.api.JobState;
import dev.quern.master.http.json.JobDoc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quern list}: the jobs the masters know, oldest first. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Lists the jobs the masters know (any master answers), oldest first.",
    footer = JobApiOptions.EXIT_CODES)
final class ListCommand implements Callable<Integer> {
  @Mixin JobApiOptions api;

  @Option(names = "--state", paramLabel = "STATE", split = ",", description =
      "Only jobs in these states (comma-separated: SUBMITTED, RUNNING, COMMITTING, SUCCEEDED, "
          + "FAILED, KILLED).")
  List<String> states = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> wanted = new ArrayList<>();
    for (String s : states) {
      try {
        wanted.add(JobState.valueOf(s.trim().toUpperCase(Locale.ROOT)).name());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--state '" + s + "' is not one of "
            + Arrays.toString(JobState.values()));
      }
    }
    return api.run(spec, (client, out) -> {
      List<JobDoc> jobs = client.jobs(wanted);
      if (api.json) {
        JobApiOptions.printJson(out, jobs);
      } else if (jobs.isEmpty()) {
        out.println(wanted.isEmpty() ? "No jobs." : "No jobs in state " + String.join(", ", wanted)
            + ".");
      } else {
        JobText.table(jobs).forEach(out::println);
      }
      return JobApiOptions.OK;
    });
  }
}
