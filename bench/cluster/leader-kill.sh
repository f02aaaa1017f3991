#!/usr/bin/env bash
# What a leader's death costs a job: WordCount on a 3-master, 2-worker cluster, in pairs of a
# plain run and a run whose leading master is SIGKILLed mid-map, each run on a fresh cluster, the
# pairs' order alternating (plain first in odd pairs, killed first in even ones). The kill:
# kill-mid-map.py polls the leader's job API (the replicated job record and its task views) every
# 100 ms and SIGKILLs the leader's pid (from `quern cluster status --json`) once at least
# KILL_FRACTION of the job's maps are done and no reduce is (fewer than all maps done); a run that
# passes that point unseen is reported MISSED and left out of the medians.
# The added seconds are the killed run's time minus the plain run's, per pair.
#
#   bench/cluster/leader-kill.sh [CORPUS_MIB] [PAIRS]   (defaults 1024 3)
#   DATA=DIR   keep the corpus in DIR and reuse it (DIR/corpus-MIB; CORPUS=FILE names one file)
#   RUNS=DIR   where the clusters and outputs go (default bench/data); KEEP=1 keeps their logs
#   KILL_FRACTION=F  the share of maps done at the kill (default 0.5: half the maps)
#
# Prints per run: wall seconds of the client (submission to its exit, through the failover), the
# job's own duration from its replicated record (submit to end), and for killed runs the master
# killed, when, and the new leader. Ends with the median and range of the added seconds.
# For each killed run it also prints the failover's timeline from the processes' logs (their
# clocks are this machine's), in seconds after the kill: the first surviving master to campaign
# (its election timeout ran out), the new leader's election, its scheduler reading the book (its
# first entry of the term applied), each worker registering with it, the new leader's first
# attempt sent ("rescheduled" is the last registration: from then on the job is scheduled
# again), and whether a takeover grace gave attempts up; then the attempts it adopted, the
# reports workers sent again, and from the new leader's API the map attempts against the maps
# (more attempts than maps: maps ran again, work lost at the failover).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-1024}"; PAIRS="${2:-3}"; KILL_FRACTION="${KILL_FRACTION:-0.5}"
QUERN="$ROOT/bin/quern"
RUN="${RUNS:-$ROOT/bench/data}/leader-kill-$$"
DATA="${DATA:-$RUN}"
[[ -f "$ROOT/cli/target/quern-cli.jar" ]] || (cd "$ROOT" && mvn -B -ntp -o -DskipTests package >/dev/null)
mkdir -p "$RUN" "$DATA"
CLUSTER=""
cleanup() {
  [[ -n "$CLUSTER" ]] && "$QUERN" cluster stop --dir "$CLUSTER" >/dev/null 2>&1 || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT
CORPUS="${CORPUS:-$DATA/corpus-$MIB}"
[[ -f "$CORPUS" ]] || java "$ROOT/bench/wordcount/GenerateCorpus.java" "$CORPUS" "$MIB" 42 >/dev/null

leader() { # field (pid|id|http) of the live leader
  "$QUERN" cluster status --dir "$CLUSTER" --json | python3 -c '
import json, sys
ps = [p for p in json.load(sys.stdin)["processes"] if p.get("role") == "LEADER" and p["alive"]]
print(ps[0][sys.argv[1]] if ps else "")' "$1"
}
job_seconds() { # output: the job's duration from any live master's copy of the book
  local http tries
  for tries in $(seq 1 30); do
    for http in $("$QUERN" cluster status --dir "$CLUSTER" --json | python3 -c '
import json, sys
print(" ".join(p["http"] for p in json.load(sys.stdin)["processes"] if p["kind"] == "master" and p["alive"]))'); do
      curl -sf "http://$http/api/v1/jobs" 2>/dev/null | python3 -c '
import json, sys
j = [x for x in json.load(sys.stdin) if x["output"] == sys.argv[1] and x["state"] == "SUCCEEDED"][-1]
print("%.2f" % (j["durationMillis"] / 1000))' "$1" 2>/dev/null && return 0
    done
    sleep 1
  done
  echo "no master knows $1 as succeeded" >&2; return 1
}

attempts() { # output: "MAP_ATTEMPTS/MAPS" of the job from the leader's book (any master's)
  local http; http=$(leader http)
  [[ -n "$http" ]] || http=$("$QUERN" cluster status --dir "$CLUSTER" --json | python3 -c '
import json, sys
print(([p["http"] for p in json.load(sys.stdin)["processes"] if p["kind"] == "master" and p["alive"]] + [""])[0])')
  curl -sf "http://$http/api/v1/jobs" | python3 -c '
import json, sys, urllib.request
j = [x for x in json.load(sys.stdin) if x["output"] == sys.argv[1]][-1]
t = json.load(urllib.request.urlopen("http://%s/api/v1/jobs/%s/tasks" % (sys.argv[2], j["id"])))
maps = [x for x in t if x["kind"] == "MAP"]
print("%d/%d" % (sum(len(x["attempts"]) for x in maps), len(maps)))' "$1" "$http" 2>/dev/null || echo "?"
}
slots() { # output at_ms: from the book, seconds after the kill (at_ms after the submission)
  # that the first attempt's end was recorded (a slot freed; for an attempt that ended during the
  # failover, when the new leader took the report its worker sent again) and that the first
  # attempt started after it: the new leader refills a freed slot that fast.
  local http; http=$(leader http)
  curl -sf "http://$http/api/v1/jobs" | python3 -c '
import json, sys, urllib.request
j = [x for x in json.load(sys.stdin) if x["output"] == sys.argv[1]][-1]
t = json.load(urllib.request.urlopen("http://%s/api/v1/jobs/%s/tasks" % (sys.argv[2], j["id"])))
kill = j["submitTime"] + int(sys.argv[3])
a = [x for task in t for x in task["attempts"]]
ends = sorted(x["endTime"] for x in a if x["endTime"] and x["endTime"] >= kill)
freed = ends[0] if ends else None
starts = sorted(x["startTime"] for x in a if freed is not None and x["startTime"] >= freed)
f = lambda v: "?" if v is None else "+%.2f s" % ((v - kill) / 1000)
print("first attempt end recorded %s, next attempt started %s" % (f(freed), f(starts[0] if starts else None)))' \
    "$1" "$http" "$2" 2>/dev/null || echo "slots ?"
}
failover() { # kill_clock new_leader: the failover's steps from the logs, seconds after the kill
  python3 - "$CLUSTER/logs" "$1" "$2" <<'PY'
import os, re, sys
logs, kill, new = sys.argv[1:4]
def secs(t):
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
k = secs(kill)
def lines(name):
    for line in open(os.path.join(logs, name + ".log"), errors="replace"):
        m = re.match(r"(\d\d:\d\d:\d\d\.\d{3}) ", line)
        if m and secs(m.group(1)) >= k:
            yield secs(m.group(1)) - k, line
def first(name, pattern):
    return next((t for t, l in lines(name) if re.search(pattern, l)), None)
def fmt(t):
    return "?" if t is None else "%.2f" % t
if not new:  # no leader at the status call (an election after the job, on a loaded machine)
    firsts = [(first(m, r"master %s leads in term" % m), m) for m in ("m1", "m2", "m3")
              if os.path.exists(os.path.join(logs, m + ".log"))]
    firsts = sorted((t, m) for t, m in firsts if t is not None)
    new = firsts[0][1] if firsts else "m1"
masters = [m for m in ("m1", "m2", "m3") if os.path.exists(os.path.join(logs, m + ".log"))]
camps = [t for t in (first(m, r"campaigns \(") for m in masters) if t is not None]
campaign = min(camps) if camps else None
elected = first(new, r"master %s leads in term" % new)
book = first(new, r"master %s schedules in term" % new)
workers = sorted(f[:-4] for f in os.listdir(logs) if f.startswith("w") and f.endswith(".log"))
reg = {w: first(w, r"registered with leader %s " % new) for w in workers}
adopted = sum(int(m.group(1)) for t, l in lines(new) for m in [re.search(r"adopted (\d+) running", l)] if m)
again = sum(int(m.group(1)) for w in workers for t, l in lines(w) for m in [re.search(r"sent (\d+) final report", l)] if m)
steps = [book] + list(reg.values())
done = None if None in steps else max(steps)
assigned = first(new, r"sends its first attempt of term")
grace = first(new, r"takeover grace of term .* given up")
print("failover: campaign +%s s, %s elected +%s s, book read +%s s, %s, rescheduled +%s s, first attempt sent +%s s%s; adopted %d attempt(s), %d report(s) sent again" % (
    fmt(campaign), new, fmt(elected), fmt(book),
    ", ".join("%s registered +%s s" % (w, fmt(t)) for w, t in reg.items()),
    fmt(done), fmt(assigned), "" if grace is None else ", GRACE gave attempts up +%s s" % fmt(grace),
    adopted, again))
PY
}

echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
fresh() { # a fresh cluster for one run, its address in ADDRESS
  CLUSTER="$RUN/cluster-$1"
  "$QUERN" cluster start --masters 3 --workers 2 --timeout 300 --dir "$CLUSTER" >/dev/null
  ADDRESS="$(cat "$CLUSTER/address")"
}
stop() {
  "$QUERN" cluster stop --dir "$CLUSTER" >/dev/null 2>&1 || true
  CLUSTER=""
}
plain_run() { # pair: sets plain, plain_job
  fresh "$1-plain"
  local start; start=$(date +%s.%N)
  "$QUERN" examples --master "$ADDRESS" wordcount "$CORPUS" "$RUN/out-plain-$1" \
    >"$RUN/plain-$1.log" 2>&1 || { tail -20 "$RUN/plain-$1.log"; exit 1; }
  plain=$(echo "$(date +%s.%N) - $start" | bc)
  plain_job=$(job_seconds "$RUN/out-plain-$1")
  echo "pair $1 plain map attempts/maps $(attempts "$RUN/out-plain-$1")" >>"$RUN/failovers"
  rm -rf "$RUN/out-plain-$1"
  stop
}
killed_run() { # pair: sets killed, killed_job, kill_line, victim, new_leader
  fresh "$1-kill"
  local victim_pid victim_http start client
  victim_pid=$(leader pid); victim=$(leader id); victim_http=$(leader http)
  start=$(date +%s.%N)
  "$QUERN" examples --master "$ADDRESS" wordcount "$CORPUS" "$RUN/out-kill-$1" \
    >"$RUN/kill-$1.log" 2>&1 &
  client=$!
  kill_line=$(python3 "$ROOT/bench/cluster/kill-mid-map.py" "$victim_http" "$victim_pid" \
    "$RUN/out-kill-$1" "$KILL_FRACTION") || { kill "$client"; wait "$client" || true; exit 1; }
  wait "$client" || { tail -20 "$RUN/kill-$1.log"; exit 1; }
  killed=$(echo "$(date +%s.%N) - $start" | bc)
  new_leader=$(leader id)
  killed_job=$(job_seconds "$RUN/out-kill-$1")
  local steps="not killed"
  if [[ "$kill_line" == KILLED* ]]; then
    local clock; clock=$(sed -E 's/.*clock=([^ ]+).*/\1/' <<<"$kill_line")
    steps="$(failover "$clock" "$new_leader"); $(slots "$RUN/out-kill-$1" \
      "$(sed -E 's/.*at_ms=([0-9]+).*/\1/' <<<"$kill_line")")"
  fi
  echo "pair $1 killed run: $kill_line; map attempts/maps $(attempts "$RUN/out-kill-$1"); $steps" \
    | tee -a "$RUN/failovers"
  rm -rf "$RUN/out-kill-$1"
  stop
}
for p in $(seq 1 "$PAIRS"); do
  # The order alternates, so that a load trending up or down over a pair favours neither run.
  if (( p % 2 )); then plain_run "$p"; killed_run "$p"; else killed_run "$p"; plain_run "$p"; fi
  if [[ "$kill_line" == KILLED* ]]; then
    at=$(sed -E 's/.*at_ms=([0-9]+).*/\1/' <<<"$kill_line"); at=$(echo "$at / 1000" | bc -l)
    how="kill $victim at $(printf %.1f "$at") s of the job ($(grep -o 'maps_done=[^ ]*' <<<"$kill_line") maps done)"
  else
    how="MISSED (no kill: $kill_line)"
  fi
  printf 'pair %d plain %.2f job_s=%s killed %.2f job_s=%s added %.2f (job: %.2f) %s, new leader %s load=%s\n' \
    "$p" "$plain" "$plain_job" "$killed" "$killed_job" "$(echo "$killed - $plain" | bc)" \
    "$(echo "$killed_job - $plain_job" | bc)" "$how" "$new_leader" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUN/pairs"
done
python3 - "$RUN/pairs" <<'PY'
import sys, statistics
lines = [l for l in open(sys.argv[1]) if "MISSED" not in l]
print(f"{len(lines)} pair(s) killed mid-map (pairs whose kill was missed are left out)")
if not lines:
    sys.exit(0)
added = [float(l.split(" added ")[1].split()[0]) for l in lines]
job = [float(l.split("(job: ")[1].split(")")[0]) for l in lines]
print(f"added seconds (client wall): median {statistics.median(added):.2f}, range {min(added):.2f} to {max(added):.2f}, {len(added)} pairs")
print(f"added seconds (job record):  median {statistics.median(job):.2f}, range {min(job):.2f} to {max(job):.2f}")
PY
mkdir -p "$ROOT/bench/data"
cp "$RUN/pairs" "$ROOT/bench/data/leader-kill-last.pairs"
cp "$RUN/failovers" "$ROOT/bench/data/leader-kill-last.failovers"
echo "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
