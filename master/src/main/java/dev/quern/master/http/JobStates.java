package dev.quern.master.http;

import dev.quern.api.JobState;
import dev.quern.master.http.json.JobDoc;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counting and parsing job states for the API. */
final class JobStates {
  private JobStates() {}

  /** Every state, in life order, with how many of {@code jobs} are in it. */
  static Map<String, Integer> count(Collection<JobDoc> jobs) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JobState s : JobState.values()) {
      out.put(s.name(), 0);
    }
    jobs.forEach(j -> out.merge(j.state(), 1, Integer::sum));
    return out;
  }
}
