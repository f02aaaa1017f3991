/**
 * A linearizability checker for tests of the Raft group and anything built on it: record each
 * client's calls and returns as {@link dev.quern.raft.lincheck.Operation}s, describe the
 * sequential behaviour as a {@link dev.quern.raft.lincheck.Model} (or use {@link
 * dev.quern.raft.lincheck.KvModel}), and call {@link
 * dev.quern.raft.lincheck.LinearizabilityChecker#check}. Imports only the JDK.
 */
package dev.quern.raft.lincheck;
