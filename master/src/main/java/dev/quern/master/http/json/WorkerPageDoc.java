package dev.quern.master.http.json;

import java.util.List;

/** {@code GET /api/v1/workers/{id}}: a worker and the attempts it ran, newest first. */
public record WorkerPageDoc(WorkerDoc worker, List<WorkerAttemptDoc> attempts) {
  public WorkerPageDoc {
    attempts = List.copyOf(attempts);
  }

  /** An attempt with the job and task it belongs to. */
  public record WorkerAttemptDoc(String jobId, String jobName, String task, AttemptDoc attempt) {}
}
