/**
 * A linearizability checker for tests of the Raft group and anything built on it: record each
 * client's calls and returns as {@link dev.quern.master.raft.lincheck.Operation}s, describe the
 * sequential behaviour as a {@link dev.quern.master.raft.lincheck.Model} (or use {@link
 * dev.quern.master.raft.lincheck.KvModel}), and call {@link
 * dev.quern.master.raft.lincheck.LinearizabilityChecker#check}. Imports only the JDK.
 */
package dev.quern.master.raft.lincheck;
