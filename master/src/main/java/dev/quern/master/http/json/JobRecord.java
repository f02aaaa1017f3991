package dev.quern.master.http.json;

import java.util.List;

/** A finished job as saved in the history directory: the job and its tasks. */
public record JobRecord(int version, JobDoc job, List<TaskDoc> tasks) {
  public static final int VERSION = 1;

  public JobRecord {
    tasks = List.copyOf(tasks);
  }
}
