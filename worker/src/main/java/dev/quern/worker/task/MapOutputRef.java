package dev.quern.worker.task;

/**
 * Where one successful map attempt's output lives: a data file holding every partition's sorted
 * run back to back, and an index file with each partition's offset, length and checksum.
 *
 * @param mapIndex which map task produced it
 * @param attempt the attempt that produced it
 * @param host the worker's host (cluster mode fetches over HTTP from there)
 * @param dataFile absolute path of the data file
 * @param indexFile absolute path of the index file
 */
public record MapOutputRef(
    int mapIndex, TaskAttemptId attempt, String host, String dataFile, String indexFile) {}
