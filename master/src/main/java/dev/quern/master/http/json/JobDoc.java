package dev.quern.master.http.json;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/jobs/{id}}: one job. Times are epoch millis, null when not reached yet.
 *
 * @param state a {@link dev.quern.api.JobState} name
 * @param durationMillis end (or now, while running) minus start; null before the start
 * @param counters group, then counter name, to value
 * @param failure for a failed job, the reason with the stack trace; null otherwise
 * @param progressNote null when the progress of running attempts is the leader's (as every
 *     master shows it while the leader answers); else why it is the book's state (0 for running
 *     attempts), e.g. on a master that does not lead while the leader does not answer
 */
public record JobDoc(
    String id,
    String name,
    String user,
    String state,
    Long submitTime,
    Long startTime,
    Long endTime,
    Long durationMillis,
    List<String> inputs,
    String output,
    ProgressDoc map,
    ProgressDoc reduce,
    Map<String, Map<String, Long>> counters,
    Map<String, String> configuration,
    String failure,
    String progressNote) {
  /** Progress from the leader (no note). */
  public JobDoc(String id, String name, String user, String state, Long submitTime,
      Long startTime, Long endTime, Long durationMillis, List<String> inputs, String output,
      ProgressDoc map, ProgressDoc reduce, Map<String, Map<String, Long>> counters,
      Map<String, String> configuration, String failure) {
    this(id, name, user, state, submitTime, startTime, endTime, durationMillis, inputs, output,
        map, reduce, counters, configuration, failure, null);
  }

  public JobDoc {
    inputs = List.copyOf(inputs);
    TreeMap<String, Map<String, Long>> sorted = new TreeMap<>();
    counters.forEach((g, names) -> sorted.put(g, Collections.unmodifiableMap(new TreeMap<>(names))));
    counters = Collections.unmodifiableMap(sorted);
    configuration = Collections.unmodifiableMap(new TreeMap<>(configuration));
  }

  @JsonIgnore
  public boolean isFinal() {
    return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("KILLED");
  }
}
