#!/usr/bin/env bash
# Where a job's CPU goes in cluster mode against local mode: paired alternating whole-process
# runs (local, cluster, local, cluster, ...) of one example job on a 3-master, 2-worker cluster
# (2 slots a worker) and in local mode, each with the CPU seconds of every process that took
# part. Local: the client process (user + system, /usr/bin/time -v style). Cluster: the client,
# each master, each worker, and the worker's executor JVMs (its children, live or ended: a
# child's CPU counts in its worker's cutime/cstime once it has ended), each the difference of
# /proc/PID/stat before and after the run. CPU seconds are what a shared machine's load skews
# least; wall seconds come along.
#
#   bench/cluster/cpu.sh [JOB] [SIZE] [ROUNDS]
#     JOB terasort (default) or wordcount; SIZE TeraGen rows (default 2000000, 200 MB) or corpus
#     MiB (default 256); ROUNDS default 3
#   DATA=DIR          keep the generated input in DIR and reuse it
#   KEEP=1            keep the run's directory (cluster logs, executor stderr, GC logs, JFR files)
#   EXECUTOR_OPTS="-Xlog:gc:file=... -XX:StartFlightRecording=..."   more executor JVM options
#                     (quern.worker.executor.java-options; %p in a file name is the pid)
#   WORKER_CONF=FILE  more worker configuration, appended to the cluster's
#   LOCAL='local'     the local master
#   BUILD=DIR         run the build in DIR (its bin/quern; default this tree's): an A/B pair runs
#                     this script twice, BUILD=A then BUILD=B, in the same session
#   SCRATCH=DIR       where the run's directory goes (default bench/data of this tree)
#   ROLES=0           no per-thread CPU of the masters, workers and client (roles.py) in cluster
#                     runs; by default each cluster run prints its three lines
#
# Prints one line per run: job, mode, wall seconds, CPU seconds in all, and the parts (client,
# masters, workers, executors), then the median paired ratios cluster/local of wall and CPU.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JOB="${1:-terasort}"
if [[ "$JOB" == terasort ]]; then SIZE="${2:-2000000}"; else SIZE="${2:-256}"; fi
ROUNDS="${3:-3}"
BUILD="$(cd "${BUILD:-$ROOT}" && pwd)"
QUERN="$BUILD/bin/quern"
RUN="${SCRATCH:-$ROOT/bench/data}/cpu-$$"
DATA="${DATA:-$RUN}"
HZ=$(getconf CLK_TCK)
if [[ "$BUILD" == "$ROOT" && ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  (cd "$ROOT" && mvn -B -ntp -o -DskipTests package >/dev/null)
fi
mkdir -p "$RUN" "$DATA"
cleanup() {
  "$QUERN" cluster stop --dir "$RUN/cluster" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT

if [[ "$JOB" == terasort ]]; then
  INPUT="$DATA/tera-$SIZE"
  if [[ ! -f "$INPUT/_SUCCESS" ]]; then
    rm -rf "$INPUT"
    "$QUERN" examples --ui-port 0 teragen "$SIZE" "$INPUT" >/dev/null
  fi
else
  INPUT="$DATA/corpus-$SIZE"
  [[ -f "$INPUT" ]] || java "$ROOT/bench/wordcount/GenerateCorpus.java" "$INPUT" "$SIZE" 42 >/dev/null
fi

CONF="$RUN/worker.conf"
: > "$CONF"
if [[ -n "${EXECUTOR_OPTS:-}" ]]; then
  python3 - "$EXECUTOR_OPTS" >> "$CONF" <<'PY'
import json, shlex, sys
print("quern.worker.executor.java-options = " + json.dumps(shlex.split(sys.argv[1])))
PY
fi
[[ -n "${WORKER_CONF:-}" ]] && cat "$WORKER_CONF" >> "$CONF"
"$QUERN" cluster start --masters 3 --workers 2 --slots 2 --timeout 300 --config "$CONF" \
  --dir "$RUN/cluster" >/dev/null
ADDRESS="$(cat "$RUN/cluster/address")"
echo "$JOB $SIZE; build $BUILD; cluster $ADDRESS; local ${LOCAL:-local}; load $(cut -d' ' -f1-3 /proc/loadavg)" \
  "on $(nproc) cores; $(date -u +%FT%TZ)"

# "kind pid" of the cluster's masters and workers
procs() {
  awk -F'\t' '!/^#/ && NF >= 3 { print $1, $3 }' "$RUN/cluster/processes"
}
# CPU ticks: "kind self children-ended" per process, and one "executor ticks" line per live child
# of a worker
snapshot() {
  local kind pid c
  while read -r kind pid; do
    [[ -r /proc/$pid/stat ]] || continue
    awk -v k="$kind" '{ sub(/^.*\) /, ""); print k, $12 + $13, $14 + $15 }' "/proc/$pid/stat"
    if [[ "$kind" == worker ]]; then
      for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do
        [[ -r /proc/$c/stat ]] && awk '{ sub(/^.*\) /, ""); print "executor", $12 + $13, 0 }' \
          "/proc/$c/stat" || true
      done
    fi
  done < <(procs)
}
# per-kind seconds between two snapshots: ended children count as their worker's executors
delta() { # before after
  python3 - "$1" "$2" "$HZ" <<'PY'
import collections, sys
def load(path):
    t = collections.Counter()
    for line in open(path):
        kind, own, ended = line.split()
        t[kind] += int(own)
        if kind == "worker":
            t["executor"] += int(ended)
    return t
b, a, hz = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
print(" ".join("%s=%.1f" % (k, (a[k] - b[k]) / hz) for k in ("master", "worker", "executor")),
      "%.2f" % (sum(a[k] - b[k] for k in ("master", "worker", "executor")) / hz))
PY
}

# The job's record and its tasks (start and end of every attempt) from the leader's API.
save_tasks() { # output, file prefix
  local http id
  http=$("$QUERN" cluster status --dir "$RUN/cluster" --json | python3 -c '
import json, sys
print(" ".join(p["http"] for p in json.load(sys.stdin)["processes"] if p.get("role") == "LEADER"))')
  [[ -n "$http" ]] || return 0
  curl -s "http://$http/api/v1/jobs" > "$2.jobs.json"
  id=$(python3 -c 'import json,sys
print([x for x in json.load(open(sys.argv[1])) if x["output"] == sys.argv[2]][-1]["id"])' \
    "$2.jobs.json" "$1" 2>/dev/null || true)
  [[ -n "$id" ]] && curl -s "http://$http/api/v1/jobs/$id/tasks" > "$2.tasks.json"
  return 0
}

run() { # mode, round
  local mode="$1" r="$2" out="$RUN/out-$1-$2" master=(--ui-port 0 --master "${LOCAL:-local}")
  [[ "$mode" == cluster ]] && master=(--master "$ADDRESS")
  snapshot > "$RUN/before"
  local pattern="$out" stop="$RUN/stop-$mode-$r"
  [[ "$mode" == cluster ]] && pattern="dev.quern.worker.executor.ExecutorMain|$BUILD/"
  python3 "$ROOT/bench/cluster/threads.py" "$pattern" "$stop" "$RUN/threads-$mode-$r" &
  local sampler=$! roles=""
  if [[ "$mode" == cluster && "${ROLES:-1}" == 1 ]]; then
    python3 "$ROOT/bench/cluster/roles.py" "$RUN/cluster/processes" "$out" "$stop" \
      "$RUN/roles-$r" &
    roles=$!
  fi
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$RUN/client-time" \
    "$QUERN" examples "${master[@]}" "$JOB" "$INPUT" "$out" >"$RUN/$JOB-$mode-$r.log" 2>&1 \
    || { echo "$JOB $mode failed:"; tail -20 "$RUN/$JOB-$mode-$r.log"; exit 1; }
  end=$(date +%s.%N)
  snapshot > "$RUN/after"
  touch "$stop"; wait "$sampler"
  [[ -z "$roles" ]] || { wait "$roles"; sed 's/^/  threads of the /' "$RUN/roles-$r"; }
  local client parts cluster_cpu
  client=$(awk '{ printf "%.2f", $1 + $2 }' "$RUN/client-time")
  parts=$(delta "$RUN/before" "$RUN/after")
  cluster_cpu=${parts##* }
  [[ "$mode" == local ]] && { parts="master=0 worker=0 executor=0 0"; cluster_cpu=0; }
  [[ "$mode" == cluster ]] && save_tasks "$out" "$RUN/$JOB-$mode-$r"
  printf '%s %s wall=%.2f cpu=%.2f client=%s %s load=%s\n' "$JOB" "$mode" \
    "$(echo "$end - $start" | bc)" "$(echo "$client + $cluster_cpu" | bc)" "$client" \
    "${parts% *}" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUN/times"
  sed "s/^/  threads of the $([[ $mode == cluster ]] && echo executors || echo local JVM): /" \
    "$RUN/threads-$mode-$r"
  rm -rf "$out"
}

# What the cluster takes while it runs no job (heartbeats, Raft, the idle spares), over 10 s.
snapshot > "$RUN/idle-before"; sleep 10; snapshot > "$RUN/idle-after"
echo "idle cluster, 10 s: $(delta "$RUN/idle-before" "$RUN/idle-after")"

# One untimed job on the cluster first (its workers' and the spare's JIT warm-up).
"$QUERN" examples --master "$ADDRESS" "$JOB" "$INPUT" "$RUN/warmup" >"$RUN/warmup.log" 2>&1 \
  || { echo "warm-up failed:"; tail -20 "$RUN/warmup.log"; exit 1; }
rm -rf "$RUN/warmup"
for r in $(seq 1 "$ROUNDS"); do
  run local "$r"
  run cluster "$r"
done
python3 - "$RUN/times" <<'PY'
import statistics, sys
rows = [dict(kv.split("=") for kv in l.split()[2:]) | {"mode": l.split()[1]} for l in open(sys.argv[1])]
loc = [r for r in rows if r["mode"] == "local"]
clu = [r for r in rows if r["mode"] == "cluster"]
for key in ("wall", "cpu"):
    ratios = [float(c[key]) / float(l[key]) for l, c in zip(loc, clu)]
    print("%s cluster/local: median %.2f (range %.2f-%.2f, %d pairs)" % (
        key, statistics.median(ratios), min(ratios), max(ratios), len(ratios)))
PY
