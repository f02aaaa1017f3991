#!/usr/bin/env bash
# WordCount benchmark: Quern's WordCount example in local mode against a plain single-threaded
# Java word count, on the same seeded corpus.
#
#   bench/wordcount.sh [MEBIBYTES]      (default 1024; the corpus is cached in bench/data/)
#
# Needs the build (mvn -B -ntp -DskipTests package) and /usr/bin/time (Debian package "time").
# QUERN_JAVA_OPTS passes JVM options to the quern command, e.g. QUERN_JAVA_OPTS=-Xmx2g.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIB="${1:-1024}"
SEED=42
DATA="$ROOT/bench/data"
CORPUS="$DATA/corpus-${MIB}m-seed${SEED}.txt"
RUN="$DATA/run-$$"

if [[ ! -x /usr/bin/time ]]; then
  echo "wordcount.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "wordcount.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi

mkdir -p "$DATA"
if [[ ! -f "$CORPUS" ]]; then
  echo "generating $CORPUS ($MIB MiB, seed $SEED) ..."
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$CORPUS" "$MIB" "$SEED"
fi
BYTES=$(stat -c %s "$CORPUS")
mkdir -p "$RUN"
trap 'rm -rf "$RUN"' EXIT

# Runs a command under /usr/bin/time; sets SECONDS_TAKEN, CPU_SECONDS (user + system) and PEAK_KB.
measure() {
  local log="$RUN/time.log"
  /usr/bin/time -v -o "$log" "$@" >"$RUN/stdout.log" 2>"$RUN/stderr.log" || {
    echo "failed: $*" >&2
    tail -20 "$RUN/stdout.log" "$RUN/stderr.log" >&2
    exit 1
  }
  local wall
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  SECONDS_TAKEN=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  PEAK_KB=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  CPU_SECONDS=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$log")
}

# Wall time is what a user waits; CPU time says more on a machine shared with other work.
report() {
  awk -v name="$1" -v s="$2" -v kb="$3" -v cpu="$4" -v b="$BYTES" \
    'BEGIN { printf "%-24s %7.1f s wall %6.1f MB/s %7.1f s CPU %6.0f MB peak RSS\n",
             name, s, b/1e6/s, cpu, kb/1024 }'
}

echo "corpus: $CORPUS ($BYTES bytes), $(nproc) cores"

measure "$ROOT/bin/quern" examples wordcount "$CORPUS" "$RUN/quern-out"
QUERN_S=$SECONDS_TAKEN QUERN_KB=$PEAK_KB QUERN_CPU=$CPU_SECONDS
cp "$RUN/stdout.log" "$RUN/quern-summary.log"

measure java -cp "$ROOT/bench/wordcount" "$ROOT/bench/wordcount/PlainWordCount.java" \
  "$CORPUS" "$RUN/plain-out.txt"
PLAIN_S=$SECONDS_TAKEN PLAIN_KB=$PEAK_KB PLAIN_CPU=$CPU_SECONDS

if ! diff -q <(sort "$RUN"/quern-out/part-*) <(sort "$RUN/plain-out.txt") >/dev/null; then
  echo "MISMATCH: Quern's counts differ from the plain count" >&2
  exit 1
fi

echo
report "quern local (wordcount)" "$QUERN_S" "$QUERN_KB" "$QUERN_CPU"
report "plain java (1 thread)" "$PLAIN_S" "$PLAIN_KB" "$PLAIN_CPU"
awk -v q="$QUERN_S" -v p="$PLAIN_S" -v qc="$QUERN_CPU" -v pc="$PLAIN_CPU" \
  'BEGIN { printf "ratio quern/plain: wall %.2f, CPU %.2f (counts identical)\n", q/p, qc/pc }'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E 'LAUNCHED_MAP_ATTEMPTS|SPILLED_RECORDS|SHUFFLE_BYTES' "$RUN/quern-summary.log" || true
