#!/usr/bin/env bash
# Cluster mode against local mode on this machine, same data, same run, alternating:
# WordCount over the bench corpus and TeraSort over TeraGen's records, each on a 3-master,
# 2-worker cluster (`quern cluster start`) and in local mode (`--master local[N]`, N = cores).
#
#   bench/cluster/vs-local.sh [WORDCOUNT_MIB] [TERASORT_ROWS] [ROUNDS]
#     defaults: 1024 MiB, 10000000 rows (1 GB), 3 rounds
#
# Prints one line per run (seconds of wall time) and the median ratio cluster/local per job.
# Builds first if the distribution is missing. Data and the cluster live in bench/data/cluster-$$.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-1024}"; ROWS="${2:-10000000}"; ROUNDS="${3:-3}"
QUERN="$ROOT/bin/quern"
RUN="$ROOT/bench/data/cluster-$$"
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  (cd "$ROOT" && mvn -B -ntp -DskipTests package >/dev/null)
fi
mkdir -p "$RUN"
cleanup() {
  "$QUERN" cluster stop --dir "$RUN/cluster" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT

echo "generating ${MIB} MiB corpus and ${ROWS} TeraGen rows ..."
java "$ROOT/bench/wordcount/GenerateCorpus.java" "$RUN/corpus" "$MIB" 42 >/dev/null
"$QUERN" examples --ui-port 0 teragen "$ROWS" "$RUN/tera-in" >/dev/null
"$QUERN" cluster start --masters 3 --workers 2 --dir "$RUN/cluster" >/dev/null
ADDRESS="$(cat "$RUN/cluster/address")"
echo "cluster: $ADDRESS; load $(cut -d' ' -f1-3 /proc/loadavg)"

timed() { # label, command...
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" >"$RUN/last.log" 2>&1 || { echo "$label failed:"; tail -20 "$RUN/last.log"; exit 1; }
  end=$(date +%s.%N)
  printf '%s %.2f\n' "$label" "$(echo "$end - $start" | bc)" | tee -a "$RUN/times"
}

for r in $(seq 1 "$ROUNDS"); do
  timed "wordcount local" "$QUERN" examples --ui-port 0 wordcount "$RUN/corpus" "$RUN/out-wl-$r"
  timed "wordcount cluster" "$QUERN" examples --master "$ADDRESS" wordcount "$RUN/corpus" "$RUN/out-wc-$r"
  timed "terasort local" "$QUERN" examples --ui-port 0 terasort "$RUN/tera-in" "$RUN/out-tl-$r"
  timed "terasort cluster" "$QUERN" examples --master "$ADDRESS" terasort "$RUN/tera-in" "$RUN/out-tc-$r"
  rm -rf "$RUN"/out-*
done
python3 - "$RUN/times" <<'PY'
import sys, statistics, collections
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    *label, secs = line.split()
    t[" ".join(label)].append(float(secs))
for job in ("wordcount", "terasort"):
    l, c = statistics.median(t[job + " local"]), statistics.median(t[job + " cluster"])
    print(f"{job}: local median {l:.2f} s, cluster median {c:.2f} s, cluster/local {c / l:.2f}")
PY
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
