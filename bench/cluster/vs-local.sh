#!/usr/bin/env bash
# Cluster mode against local mode on this machine, same data, same run, paired alternating
# whole-process runs (local, cluster, local, cluster, ...): WordCount over the bench corpus and
# TeraSort over TeraGen's records, each on a 3-master, 2-worker cluster (`quern cluster start`,
# 2 slots a worker) and in local mode (`--master local`, one worker per core).
#
#   bench/cluster/vs-local.sh [WORDCOUNT_MIB] [TERASORT_ROWS] [ROUNDS]
#     defaults: 1024 MiB, 10000000 rows (1 GB), 3 rounds
#   JOBS="wordcount terasort"   which jobs to run (each round runs a local/cluster pair of each)
#   DATA=DIR                    keep the generated inputs in DIR and reuse them in later runs
#   KEEP=1                      keep the run's directory (cluster logs, API dumps, times)
#   LOCAL='local[4]'            the local master (default local: one worker per core; the
#                               cluster has 2 workers of 2 slots, so local[4] runs as many tasks)
#   SLOTS=N                     slots per cluster worker (default 2; 1 gives the cluster as many
#                               task threads as local mode on 2 cores)
#   WARMUP=0                    no untimed warm-up job on the cluster before the rounds
#
# Prints one line per run: job, mode, seconds of wall time (the whole client process: JVM start,
# submission, job, wait for the end), the job's own duration (the job's API record for cluster
# runs; local mode runs with its UI off, so none), the Raft entries the job added (the leader's
# commit index before and after; nothing else runs on the cluster) and the 1-minute load average.
# Ends with the median and range of the paired ratios cluster/local per job.
# Builds first if the distribution is missing. The cluster lives in bench/data/cluster-$$.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-1024}"; ROWS="${2:-10000000}"; ROUNDS="${3:-3}"
JOBS="${JOBS:-wordcount terasort}"
QUERN="$ROOT/bin/quern"
RUN="$ROOT/bench/data/cluster-$$"
DATA="${DATA:-$RUN}"
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  (cd "$ROOT" && mvn -B -ntp -o -DskipTests package >/dev/null)
fi
mkdir -p "$RUN" "$DATA"
cleanup() {
  "$QUERN" cluster stop --dir "$RUN/cluster" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT

if [[ " $JOBS " == *" wordcount "* && ! -f "$DATA/corpus-$MIB" ]]; then
  echo "generating a ${MIB} MiB corpus ..."
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$DATA/corpus-$MIB" "$MIB" 42 >/dev/null
fi
if [[ " $JOBS " == *" terasort "* && ! -f "$DATA/tera-$ROWS/_SUCCESS" ]]; then
  echo "generating ${ROWS} TeraGen rows ..."
  rm -rf "$DATA/tera-$ROWS"
  "$QUERN" examples --ui-port 0 teragen "$ROWS" "$DATA/tera-$ROWS" >/dev/null
fi
"$QUERN" cluster start --masters 3 --workers 2 --slots "${SLOTS:-2}" --timeout 300 \
  --dir "$RUN/cluster" >/dev/null
ADDRESS="$(cat "$RUN/cluster/address")"
echo "cluster: $ADDRESS; local: ${LOCAL:-local}; load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"

# The leader's HTTP address (host:port), from the cluster's status; waits while there is none
# (under a heavy load an election can be under way).
leader_http() {
  local http="" i
  for i in $(seq 1 60); do
    http=$("$QUERN" cluster status --dir "$RUN/cluster" --json | python3 -c '
import json, sys
print(" ".join(p["http"] for p in json.load(sys.stdin)["processes"] if p.get("role") == "LEADER"))')
    [[ -n "$http" ]] && break
    sleep 1
  done
  echo "$http"
}
commit_index() { # http
  curl -s "http://$1/metrics" | awk '$1 == "quern_raft_commit_index" {printf "%d\n", $2}' || true
}

input_of() { [[ "$1" == wordcount ]] && echo "$DATA/corpus-$MIB" || echo "$DATA/tera-$ROWS"; }

run() { # job, mode, round
  local job="$1" mode="$2" r="$3" start end secs extra="" http before after
  local out="$RUN/out-$job-$mode-$r" log="$RUN/$job-$mode-$r.log"
  local master=(--ui-port 0 --master "${LOCAL:-local}")
  if [[ "$mode" == cluster ]]; then
    master=(--master "$ADDRESS")
    http="$(leader_http)"
    before="$(commit_index "$http")"
  fi
  start=$(date +%s.%N)
  "$QUERN" examples "${master[@]}" "$job" "$(input_of "$job")" "$out" >"$log" 2>&1 \
    || { echo "$job $mode failed:"; tail -20 "$log"; exit 1; }
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  if [[ "$mode" == cluster ]]; then
    after="$(commit_index "$http")"
    curl -s "http://$http/api/v1/jobs" > "$RUN/$job-$mode-$r.jobs.json"
    local id
    id=$(python3 -c 'import json,sys
print([x for x in json.load(open(sys.argv[1])) if x["output"] == sys.argv[2]][-1]["id"])' \
      "$RUN/$job-$mode-$r.jobs.json" "$out" 2>/dev/null || true)
    [[ -n "$id" ]] && curl -s "http://$http/api/v1/jobs/$id/tasks" > "$RUN/$job-$mode-$r.tasks.json"
    extra=$(python3 -c 'import json,sys
j = [x for x in json.load(open(sys.argv[1])) if x["output"] == sys.argv[2]][-1]
print("job_s=%.2f tasks=%d" % (j["durationMillis"] / 1000, j["map"]["tasks"] + j["reduce"]["tasks"]))' \
      "$RUN/$job-$mode-$r.jobs.json" "$out" 2>/dev/null || true)
    extra="$extra entries=$((after - before))"
  fi
  printf '%s %s %.2f %s load=%s\n' "$job" "$mode" "$secs" "$extra" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUN/times"
  rm -rf "$out"
}

# A cluster's workers live on from job to job, so a measured job finds their data path compiled;
# each local run starts a JVM and compiles it again, as each local job does. WARMUP=1 (default)
# runs one untimed job of each kind on the cluster first, so the first pair does not charge the
# cluster's JIT warm-up (two worker JVMs compiling at once) to cluster mode.
if [[ "${WARMUP:-1}" == 1 ]]; then
  for job in $JOBS; do
    "$QUERN" examples --master "$ADDRESS" "$job" "$(input_of "$job")" "$RUN/warmup-$job" \
      >"$RUN/warmup-$job.log" 2>&1 || { echo "warm-up $job failed:"; tail -20 "$RUN/warmup-$job.log"; exit 1; }
    rm -rf "$RUN/warmup-$job"
  done
fi

for r in $(seq 1 "$ROUNDS"); do
  for job in $JOBS; do
    run "$job" local "$r"
    run "$job" cluster "$r"
  done
done
cp "$RUN/times" "$ROOT/bench/data/vs-local-last.times"
python3 - "$RUN/times" <<'PY'
import sys, statistics, collections
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    job, mode, secs = line.split()[:3]
    t[(job, mode)].append(float(secs))
for job in sorted({j for j, _ in t}):
    l, c = t[(job, "local")], t[(job, "cluster")]
    ratios = [b / a for a, b in zip(l, c)]
    print(f"{job}: local median {statistics.median(l):.2f} s, cluster median {statistics.median(c):.2f} s, "
          f"paired cluster/local median {statistics.median(ratios):.2f} "
          f"(range {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} pairs)")
PY
echo "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
