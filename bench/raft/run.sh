#!/usr/bin/env bash
# Raft benchmarks: the core in the simulation (one thread), and three Pekko masters over Artery.
# Usage: bench/raft/run.sh [sim-commands] [actor-clients] [actor-seconds]
# Never runs `mvn install`: sibling modules resolve from the reactor's target/classes.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp -q -pl master -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/raft-bench.cp
CP="master/target/test-classes:master/target/classes:$(cat master/target/raft-bench.cp)"
java -Xmx1g -cp "$CP" dev.quern.master.raft.RaftSimBench "${1:-200000}"
java -Xmx1g -cp "$CP" dev.quern.master.raft.node.RaftActorBench "${2:-64}" "${3:-10}"
