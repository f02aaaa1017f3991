package dev.quern.worker.task;

/**
 * Where one successful map attempt's output lives: a data file holding every partition's sorted
 * run back to back, and an index file with each partition's offset, length and checksum.
 *
 * @param mapIndex which map task produced it
 * @param attempt the attempt that produced it
 * @param host where reduces read it from. Local mode: {@code "localhost"}, read in place. Cluster
 *     mode: {@code HOST:PORT} of the map worker's shuffle server, e.g. {@code "127.0.0.1:41234"}
 *     ({@code [v6addr]:PORT} for an IPv6 literal), as its {@code ShuffleServer.address()} gives;
 *     a reduce on that same worker reads the files in place, any other fetches
 *     {@code GET http://HOST:PORT/shuffle/{job}/{mapAttempt}/{partition}}
 * @param dataFile absolute path of the data file
 * @param indexFile absolute path of the index file
 */
public record MapOutputRef(
    int mapIndex, TaskAttemptId attempt, String host, String dataFile, String indexFile) {}
