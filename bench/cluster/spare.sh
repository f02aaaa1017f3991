#!/usr/bin/env bash
# What a job's executor JVM start costs in cluster mode, this tree against another checkout
# (BASE_ROOT, e.g. one without warm spare executors): a cluster of 3 masters and 2 workers (2
# slots a worker, tasks in executor JVMs) from each tree, both up the whole time, and paired
# whole-process WordCount runs alternating base/this (the order flips every round).
#
#   bench/cluster/spare.sh BASE_ROOT [WORDCOUNT_MIB] [ROUNDS]     defaults: 64 MiB, 6 rounds
#   DATA=DIR   keep the generated corpus in DIR and reuse it      KEEP=1   keep the run's directory
#
# Both trees must be built (mvn -B -ntp -DskipTests package). Prints one line per run (side,
# round, wall seconds of the client process, the 1-minute load), the median and range of the
# paired ratios this/base, and how many executors of this tree's jobs were warm spares.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$(cd "${1:?usage: bench/cluster/spare.sh BASE_ROOT [MIB] [ROUNDS]}" && pwd)"
MIB="${2:-64}"; ROUNDS="${3:-6}"
RUN="$ROOT/bench/data/spare-$$"
DATA="${DATA:-$RUN}"
for r in "$BASE" "$ROOT"; do
  [[ -f "$r/cli/target/quern-cli.jar" ]] || { echo "spare.sh: build $r first" >&2; exit 1; }
done
mkdir -p "$RUN" "$DATA"
cleanup() {
  "$BASE/bin/quern" cluster stop --dir "$RUN/base" >/dev/null 2>&1 || true
  "$ROOT/bin/quern" cluster stop --dir "$RUN/this" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT
if [[ ! -f "$DATA/corpus-$MIB" ]]; then
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$DATA/corpus-$MIB" "$MIB" 42 >/dev/null
fi
root_of() { [[ "$1" == base ]] && echo "$BASE" || echo "$ROOT"; }
for side in base this; do
  "$(root_of $side)/bin/quern" cluster start --masters 3 --workers 2 --slots 2 --timeout 300 \
    --dir "$RUN/$side" >/dev/null
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
run() { # side, round
  local out="$RUN/out-$1-$2" start end
  start=$(date +%s.%N)
  "$(root_of "$1")/bin/quern" examples --master "$(cat "$RUN/$1/address")" wordcount \
    "$DATA/corpus-$MIB" "$out" >"$RUN/$1-$2.log" 2>&1 || { echo "$1 failed:"; tail -20 "$RUN/$1-$2.log"; exit 1; }
  end=$(date +%s.%N)
  printf '%s %s %.2f load=%s\n' "$1" "$2" "$(echo "$end - $start" | bc)" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUN/times"
  rm -rf "$out"
}
# One untimed job on each cluster first (the workers' JIT warm-up).
run base 0 >/dev/null; run this 0 >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then run base "$r"; run this "$r"; else run this "$r"; run base "$r"; fi
done
python3 - "$RUN/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.split()[1] != "0"]
b = {r[1]: float(r[2]) for r in rows if r[0] == "base"}
t = {r[1]: float(r[2]) for r in rows if r[0] == "this"}
ratios = [t[k] / b[k] for k in b if k in t]
print("this/base wall: median %.2f, range %.2f-%.2f (base median %.1f s, this %.1f s)" % (
    statistics.median(ratios), min(ratios), max(ratios), statistics.median(b.values()),
    statistics.median(t.values())))
PY
echo "this tree's executors that were warm spares: $(grep -rh 'started executor JVM' "$RUN/this" \
  2>/dev/null | grep -c 'the warm spare' || true) of $(grep -rh 'started executor JVM' \
  "$RUN/this" 2>/dev/null | grep -c . || true)"
