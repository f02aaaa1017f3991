#!/usr/bin/env bash
# Three master processes on 127.0.0.1 with the fsynced WAL: throughput, latency at 1,000/s, failover.
# Usage: bench/raft/process.sh [seconds-per-phase] [clients] [connections] [kills]
# Data goes to raft/target/raft-process-bench (a real disk, so fsync costs what it costs).
# Never runs `mvn install`: sibling modules resolve from the reactor's target/classes.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp -q -pl raft -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/raft-bench.cp
CP="raft/target/test-classes:raft/target/classes:$(cat raft/target/raft-bench.cp)"
uptime
java -Xmx512m -cp "$CP" dev.quern.raft.kvdemo.ProcessBench "${1:-10}" "${2:-256}" "${3:-4}" "${4:-20}"
uptime
