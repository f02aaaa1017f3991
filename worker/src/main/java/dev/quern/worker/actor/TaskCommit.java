package dev.quern.worker.actor;

import dev.quern.api.Configuration;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.TaskCommitContext;
import dev.quern.api.io.OutputFormat;
import dev.quern.worker.runner.UserClasses;
import dev.quern.worker.task.TaskSpec;

/**
 * The task side of the output commit: the job's {@link OutputCommitter} (from its output format,
 * made in the job's class loader) and the attempt's {@link TaskCommitContext}. The master grants
 * the commit to one attempt per task; the committer is what the grant lets that attempt do.
 */
final class TaskCommit {
  private TaskCommit() {}

  /** The committer of the attempt's job, as its output format supplies it. */
  static OutputCommitter committer(TaskSpec spec, ClassLoader jobLoader) throws Exception {
    Configuration conf = spec.job().configuration();
    OutputFormat<?, ?> format = new UserClasses(spec.job(), jobLoader, conf)
        .create(spec.job().outputFormat(), OutputFormat.class, "output format");
    return format.committer(conf);
  }

  static TaskCommitContext context(TaskSpec spec) {
    return new TaskCommitContext(spec.id().jobId(), spec.job().outputPath(),
        spec.id().taskName(), spec.outputWorkDir(), spec.job().configuration());
  }
}
