#!/usr/bin/env bash
# Raft benchmarks: the core in the simulation (one thread), and three Pekko masters over Artery.
# Usage: bench/raft/run.sh [sim-commands] [actor-clients] [actor-seconds]
# Never runs `mvn install`: sibling modules resolve from the reactor's target/classes.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp -q -pl raft -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/raft-bench.cp
CP="raft/target/test-classes:raft/target/classes:$(cat raft/target/raft-bench.cp)"
java -Xmx1g -cp "$CP" dev.quern.raft.RaftSimBench "${1:-200000}"
java -Xmx1g -cp "$CP" dev.quern.raft.node.RaftActorBench "${2:-64}" "${3:-10}"
