#!/usr/bin/env bash
# CPU seconds an idle cluster takes: a 3-master, 2-worker cluster (2 slots a worker) started with
# CONF, left 15 s to settle, then its masters' and workers' CPU (user + system, /proc/PID/stat)
# over SECONDS; no job runs. Compare two configurations by running it alternately.
#
#   bench/cluster/idle.sh NAME CONF [SECONDS]       SECONDS default 20
#   BUILD=DIR     run the build in DIR (its bin/quern; default this tree's): A/B pairs
#   SCRATCH=DIR   where the cluster's directory goes (default bench/data of this tree)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
QUERN="${BUILD:-$ROOT}/bin/quern"
NAME="$1"; CONF="$2"; SECS="${3:-20}"
DIR="${SCRATCH:-$ROOT/bench/data}/idle-$$"
HZ=$(getconf CLK_TCK)
trap '"$QUERN" cluster stop --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
"$QUERN" cluster start --masters 3 --workers 2 --slots 2 --timeout 300 --config "$CONF" \
  --dir "$DIR" >/dev/null
sleep 15
snap() {
  awk -F'\t' '!/^#/ && NF >= 3 { print $1, $3 }' "$DIR/processes" | while read -r kind pid; do
    awk -v k="$kind" '{ sub(/^.*\) /, ""); print k, $12 + $13 }' "/proc/$pid/stat"
  done
}
snap > "$DIR/before"; sleep "$SECS"; snap > "$DIR/after"
paste "$DIR/before" "$DIR/after" | awk -v n="$NAME" -v s="$SECS" -v hz="$HZ" '
  { d[$1] += $4 - $2 }
  END { printf "%s, idle %d s: masters %.2f s, workers %.2f s of CPU; load %s\n", n, s,
        d["master"] / hz, d["worker"] / hz, "'"$(cut -d' ' -f1 /proc/loadavg)"'" }'
