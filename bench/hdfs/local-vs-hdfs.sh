#!/usr/bin/env bash
# Local files against HDFS in the same run: Quern's WordCount and TeraSort (local mode) reading
# and writing a local directory, then the same job reading and writing a MiniDFSCluster (one
# NameNode and one DataNode in a separate JVM on this machine, started by minidfs.sh), in pairs
# whose order alternates, on the same input (the corpus of bench/wordcount.sh; TeraGen's rows).
#
#   bench/hdfs/local-vs-hdfs.sh [WORDCOUNT_MIB [TERASORT_ROWS [PAIRS]]]   (default 256 2000000 3)
#
# Prints each run (wall, CPU of the quern process, CPU of the HDFS process during it) and per job
# the median of the HDFS/local ratios of the pairs. Outputs are checked equal (untimed).
# Needs the build (mvn -B -ntp -DskipTests package), /usr/bin/time, and the Hadoop jars in ~/.m2.
# KEEP=1 keeps the run directory (bench/data/hdfs-run-PID).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIB="${1:-256}"
ROWS="${2:-2000000}"
PAIRS="${3:-3}"
SEED=42
QUERN="$ROOT/bin/quern"
source "$ROOT/bench/hdfs/classpath.sh"

if [[ ! -x /usr/bin/time ]]; then
  echo "local-vs-hdfs.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "local-vs-hdfs.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi

DATA="$ROOT/bench/data"
RUN="$DATA/hdfs-run-$$"
CORPUS="$DATA/corpus-${MIB}m-seed${SEED}.txt"
mkdir -p "$RUN"
DFS_PID=""
cleanup() {
  exec 4>&- 2>/dev/null || true   # the end of stdin stops the HDFS process
  if [[ -n "$DFS_PID" ]]; then
    for _ in $(seq 1 30); do kill -0 "$DFS_PID" 2>/dev/null || break; sleep 1; done
    kill "$DFS_PID" 2>/dev/null || true
  fi
  if [[ "${KEEP:-0}" != 1 ]]; then rm -rf "$RUN"; fi
}
trap cleanup EXIT

if [[ ! -f "$CORPUS" ]]; then
  echo "generating $CORPUS ($MIB MiB, seed $SEED) ..."
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$CORPUS" "$MIB" "$SEED"
fi

# The HDFS: its stdin is a pipe this script holds open (fd 4) until the end.
mkfifo "$RUN/dfs-stdin"
MINIDFS_DATA="$RUN/dfs" "$ROOT/bench/hdfs/minidfs.sh" 1 0 <"$RUN/dfs-stdin" \
  >"$RUN/dfs.out" 2>"$RUN/dfs.err" &
DFS_PID=$!
exec 4>"$RUN/dfs-stdin"
for _ in $(seq 1 180); do
  grep -q '^hdfs://' "$RUN/dfs.out" 2>/dev/null && break
  kill -0 "$DFS_PID" 2>/dev/null || { tail -20 "$RUN/dfs.err" >&2; exit 1; }
  sleep 1
done
URI=$(grep -m1 '^hdfs://' "$RUN/dfs.out")
echo "HDFS at $URI (pid $DFS_PID, data in $RUN/dfs)"

# Hadoop's client without a logging backend: its stderr is shown only when it fails.
hdfs_tool() {
  java -cp "$HADOOP_CP" "$ROOT/bench/hdfs/HdfsTool.java" "$@" 2>"$RUN/tool.err" \
    || { cat "$RUN/tool.err" >&2; return 1; }
}
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

echo "copying the inputs (untimed) ..."
hdfs_tool put "$CORPUS" "$URI/wc/corpus.txt"
# One DataNode: one replica (the same setting for the local runs, where it does nothing).
REPL=(-Dquern.hadoop.dfs.replication=1)
"$QUERN" examples "${REPL[@]}" teragen "$ROWS" "$RUN/tera-in" >/dev/null
"$QUERN" examples "${REPL[@]}" teragen "$ROWS" "$URI/tera-in" >/dev/null

# Runs one job under /usr/bin/time; appends "job where pair wall cpu dfs_cpu" to results.
measure() {
  local job="$1" where="$2" pair="$3"; shift 3
  local before after
  before=$(cpu_of "$DFS_PID")
  /usr/bin/time -v -o "$RUN/time.log" "$@" >"$RUN/stdout.log" 2>"$RUN/stderr.log" || {
    echo "failed: $*" >&2; tail -20 "$RUN/stdout.log" "$RUN/stderr.log" >&2; exit 1; }
  after=$(cpu_of "$DFS_PID")
  local wall cpu
  wall=$(grep 'Elapsed (wall clock)' "$RUN/time.log" | awk '{print $NF}' \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$RUN/time.log")
  echo "$job $where $pair $wall $cpu $(awk -v a="$after" -v b="$before" 'BEGIN{print a-b}')" \
    >>"$RUN/results"
  printf '%-9s %-5s pair %d: %7.1f s wall %7.1f s CPU quern %6.1f s CPU hdfs\n' \
    "$job" "$where" "$pair" "$wall" "$cpu" "$(awk -v a="$after" -v b="$before" 'BEGIN{print a-b}')"
}

run_pair() {
  local job="$1" pair="$2" local_in="$3" hdfs_in="$4"
  local order=(local hdfs)
  if (( pair % 2 == 0 )); then order=(hdfs local); fi
  for where in "${order[@]}"; do
    if [[ "$where" == local ]]; then
      measure "$job" local "$pair" "$QUERN" examples "${REPL[@]}" "$job" "$local_in" \
        "$RUN/$job-out-$pair"
    else
      measure "$job" hdfs "$pair" "$QUERN" examples "${REPL[@]}" "$job" "$hdfs_in" \
        "$URI/$job-out-$pair"
    fi
  done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for p in $(seq 1 "$PAIRS"); do
  run_pair wordcount "$p" "$CORPUS" "$URI/wc/corpus.txt"
  run_pair terasort "$p" "$RUN/tera-in" "$URI/tera-in"
  # The same output either way (checked untimed), then the outputs go.
  cmp -s <(sort "$RUN"/wordcount-out-"$p"/part-*) \
    <(hdfs_tool cat-parts "$URI/wordcount-out-$p" | sort) \
    || { echo "MISMATCH: wordcount local and HDFS outputs differ (pair $p)" >&2; exit 1; }
  cmp -s <(cat "$RUN"/terasort-out-"$p"/part-*) <(hdfs_tool cat-parts "$URI/terasort-out-$p") \
    || { echo "MISMATCH: terasort local and HDFS outputs differ (pair $p)" >&2; exit 1; }
  rm -rf "$RUN/wordcount-out-$p" "$RUN/terasort-out-$p"
  hdfs_tool rm "$URI/wordcount-out-$p"
  hdfs_tool rm "$URI/terasort-out-$p"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "inputs: wordcount $(stat -L -c %s "$CORPUS") bytes, terasort $((ROWS * 100)) bytes; outputs equal"
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for job in wordcount terasort; do
  # Per pair: HDFS/local of the wall time, and of the CPU of both processes (quern + HDFS).
  wall=$(awk -v job="$job" '$1 == job { w[$3, $2] = $4; if ($3 > n) n = $3 }
    END { for (p = 1; p <= n; p++) print w[p, "hdfs"] / w[p, "local"] }' "$RUN/results" | median)
  cpu=$(awk -v job="$job" '$1 == job { c[$3, $2] = $5 + $6; if ($3 > n) n = $3 }
    END { for (p = 1; p <= n; p++) print c[p, "hdfs"] / c[p, "local"] }' "$RUN/results" | median)
  printf '%-9s HDFS/local: median wall ratio %.2f, median CPU ratio %.2f (quern + HDFS processes), %d pairs\n' \
    "$job" "$wall" "$cpu" "$PAIRS"
done
