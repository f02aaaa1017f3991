package dev.quern.master.http.json;

import java.util.List;

/**
 * One task of a job with every attempt, oldest first.
 *
 * @param id the task name, e.g. {@code m-00003}
 * @param kind {@code MAP} or {@code REDUCE}
 * @param state {@code PENDING}, {@code RUNNING}, {@code DONE}, {@code FAILED} or {@code KILLED}
 * @param input what the task reads: the split ({@code file:start+length}) of a map, the partition
 *     of a reduce
 */
public record TaskDoc(String id, String kind, int index, String state, String input,
    List<AttemptDoc> attempts) {
  public TaskDoc {
    attempts = List.copyOf(attempts);
  }
}
