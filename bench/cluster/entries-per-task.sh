#!/usr/bin/env bash
# Raft log entries per task on the happy path: WordCount on a 3-master, 2-worker cluster with
# nothing else running on it, once per map count; entries are the leader's commit index after
# the job minus before it (every entry the job added: its submission, the starts, the outcomes,
# the commit), divided by the job's tasks (maps + reduces).
#
#   bench/cluster/entries-per-task.sh [CORPUS_MIB] [MAP_COUNTS]   (defaults 1024 "16 64")
#   DATA=DIR   keep the corpus in DIR and reuse it
#
# The map count is set through the split size (corpus size / maps). Prints one line per job.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-1024}"; MAPS="${2:-16 64}"
QUERN="$ROOT/bin/quern"
RUN="$ROOT/bench/data/entries-$$"
DATA="${DATA:-$RUN}"
[[ -f "$ROOT/cli/target/quern-cli.jar" ]] || (cd "$ROOT" && mvn -B -ntp -o -DskipTests package >/dev/null)
mkdir -p "$RUN" "$DATA"
cleanup() {
  "$QUERN" cluster stop --dir "$RUN/cluster" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT
[[ -f "$DATA/corpus-$MIB" ]] || java "$ROOT/bench/wordcount/GenerateCorpus.java" "$DATA/corpus-$MIB" "$MIB" 42 >/dev/null
"$QUERN" cluster start --masters 3 --workers 2 --timeout 300 --dir "$RUN/cluster" >/dev/null
ADDRESS="$(cat "$RUN/cluster/address")"
HTTP=""
for _ in $(seq 1 60); do # the leader, once there is one (elections take longer under load)
  HTTP="$("$QUERN" cluster status --dir "$RUN/cluster" --json | python3 -c '
import json, sys
print(" ".join(p["http"] for p in json.load(sys.stdin)["processes"] if p.get("role") == "LEADER"))')"
  [[ -n "$HTTP" ]] && break
  sleep 1
done
commit_index() { curl -s "http://$HTTP/metrics" | awk '$1 == "quern_raft_commit_index" {printf "%d\n", $2}'; }
echo "cluster $ADDRESS, leader http $HTTP; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
SIZE=$(stat -L -c %s "$DATA/corpus-$MIB")
for maps in $MAPS; do
  split=$(( (SIZE + maps - 1) / maps ))
  before=$(commit_index)
  "$QUERN" examples --master "$ADDRESS" -Dquern.input.split-size="$split" wordcount \
    "$DATA/corpus-$MIB" "$RUN/out-$maps" >"$RUN/wc-$maps.log" 2>&1 \
    || { tail -20 "$RUN/wc-$maps.log"; exit 1; }
  after=$(commit_index)
  curl -s "http://$HTTP/api/v1/jobs" | python3 -c '
import json, sys
maps, entries, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
j = [x for x in json.load(sys.stdin) if x["output"] == out][-1]
m, r = j["map"], j["reduce"]
tasks = m["tasks"] + r["tasks"]
attempts = j["counters"]["quern"]["LAUNCHED_MAP_ATTEMPTS"] + j["counters"]["quern"]["LAUNCHED_REDUCE_ATTEMPTS"]
print("maps=%d reduces=%d attempts=%d entries=%d entries_per_task=%.2f job_s=%.1f"
      % (m["tasks"], r["tasks"], attempts, entries, entries / tasks, j["durationMillis"] / 1000))
' "$maps" "$((after - before))" "$RUN/out-$maps"
  rm -rf "$RUN/out-$maps"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
