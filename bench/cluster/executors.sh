#!/usr/bin/env bash
# What executor JVMs cost a cluster WordCount: two clusters of 3 masters and 2 workers (2 slots a
# worker), one running tasks in executor JVMs (quern.worker.task-isolation = executor, the
# default), one on the workers' own threads (= in-process); paired alternating whole-process runs
# of the same WordCount (executor, in-process, executor, ...), both clusters up the whole time.
#
#   bench/cluster/executors.sh [WORDCOUNT_MIB] [ROUNDS]      defaults: 256 MiB, 3 rounds
#   DATA=DIR   keep the generated corpus in DIR and reuse it      KEEP=1   keep the run's directory
#
# Prints one line per run (mode, wall seconds of the client process, the 1-minute load), then the
# median and range of the paired ratios executor/in-process. Wrap it in /usr/bin/time -v for the
# whole script's resources. Builds first if the distribution is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-256}"; ROUNDS="${2:-3}"
QUERN="$ROOT/bin/quern"
RUN="$ROOT/bench/data/executors-$$"
DATA="${DATA:-$RUN}"
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  (cd "$ROOT" && mvn -B -ntp -o -DskipTests package >/dev/null)
fi
mkdir -p "$RUN" "$DATA"
cleanup() {
  "$QUERN" cluster stop --dir "$RUN/executor" >/dev/null 2>&1 || true
  "$QUERN" cluster stop --dir "$RUN/in-process" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT
if [[ ! -f "$DATA/corpus-$MIB" ]]; then
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$DATA/corpus-$MIB" "$MIB" 42 >/dev/null
fi
for mode in executor in-process; do
  echo "quern.worker.task-isolation = $mode" > "$RUN/$mode.conf"
  "$QUERN" cluster start --masters 3 --workers 2 --slots 2 --timeout 300 \
    --config "$RUN/$mode.conf" --dir "$RUN/$mode" >/dev/null
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
run() { # mode, round
  local out="$RUN/out-$1-$2" start end
  start=$(date +%s.%N)
  "$QUERN" examples --master "$(cat "$RUN/$1/address")" wordcount "$DATA/corpus-$MIB" "$out" \
    >"$RUN/$1-$2.log" 2>&1 || { echo "$1 failed:"; tail -20 "$RUN/$1-$2.log"; exit 1; }
  end=$(date +%s.%N)
  printf '%s %.2f load=%s\n' "$1" "$(echo "$end - $start" | bc)" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUN/times"
  rm -rf "$out"
}
# One untimed job on each cluster first: the workers' JIT warm-up is not charged to a pair.
run executor 0 >/dev/null; run in-process 0 >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  run executor "$r"; run in-process "$r"
done
python3 - "$RUN/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
ex = [float(r[1]) for r in rows if r[0] == "executor"][1:]
ip = [float(r[1]) for r in rows if r[0] == "in-process"][1:]
ratios = [a / b for a, b in zip(ex, ip)]
print("executor/in-process wall: median %.2f, range %.2f-%.2f (executor median %.1f s, "
      "in-process %.1f s)" % (statistics.median(ratios), min(ratios), max(ratios),
      statistics.median(ex), statistics.median(ip)))
PY
