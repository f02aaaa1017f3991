package dev.quern.worker.task;

import dev.quern.api.Counters;

/**
 * What a finished attempt reports.
 *
 * @param id the attempt
 * @param counters the attempt's counters (built-in and user)
 * @param mapOutput for a map attempt of a job with reduce tasks, where its output lives; else null
 */
public record TaskResult(TaskAttemptId id, Counters counters, MapOutputRef mapOutput) {}
