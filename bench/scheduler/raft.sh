#!/usr/bin/env bash
# The cluster leader's scheduling with its Raft work (RaftSchedulerBench.java, mode raft: the
# LeaderScheduler's batch entries appended, replicated to two followers and applied to the job
# book machine on three Raft cores in simulation, virtual time) against the same CLUSTER
# scheduler alone (mode pure), in paired alternating whole-process runs with the same seed, so
# both schedule the same simulated work. Prints task assignments per second of leader CPU.
#
#   bench/scheduler/raft.sh [WORKERS] [TASKS] [ROUNDS] [SHAPES]
#                           (defaults 1000 100000 3 "many-jobs one-job")
#   MAX_ENTRY_BYTES=N   the Raft cores' largest entry (default 65536, as the masters')
#
# Never runs `mvn install`: the sibling modules come from the reactor's target/classes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORKERS="${1:-1000}"
TASKS="${2:-100000}"
ROUNDS="${3:-3}"
SHAPES="${4:-many-jobs one-job}"
MAX_ENTRY_BYTES="${MAX_ENTRY_BYTES:-65536}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

mvn -B -ntp -o -q -pl master -am compile dependency:build-classpath \
    -Dmdep.outputFile="$TMP/deps.cp" >/dev/null
CP="master/target/classes:$(cat "$TMP/deps.cp")"
mkdir -p "$TMP/bench"
cat > "$TMP/bench/logback.xml" <<'XML'
<configuration><root level="OFF"/></configuration>
XML
javac -nowarn -d "$TMP/bench" -cp "$CP" bench/scheduler/SchedulerBench.java \
  bench/scheduler/RaftSchedulerBench.java

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
run() { # mode shape
  local line
  line=$(java -Xmx3g -XX:+UseParallelGC -DmaxEntryBytes="$MAX_ENTRY_BYTES" -cp "$TMP/bench:$CP" \
    RaftSchedulerBench "$1" "$2" "$WORKERS" "$TASKS" | tail -n 1)
  echo "$line load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "$line" >> "$TMP/results"
}
for ((r = 1; r <= ROUNDS; r++)); do
  for shape in $SHAPES; do
    if ((r % 2)); then run pure "$shape"; run raft "$shape"; else run raft "$shape"; run pure "$shape"; fi
  done
done
echo "medians (task assignments per second of leader CPU):"
for shape in $SHAPES; do
  med() { grep "^mode=$1 shape=$shape " "$TMP/results" | sed 's/.*assignments_per_cpu_s=//' \
    | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  pure=$(med pure); raft=$(med raft)
  echo "  $shape: pure $pure, raft $raft, raft/pure $(awk -v r="$raft" -v p="$pure" 'BEGIN {printf "%.2f", r/p}')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
