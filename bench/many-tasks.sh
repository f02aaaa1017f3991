#!/usr/bin/env bash
# Many-tasks benchmark: the engine's overhead per task. WordCount (local mode, defaults) over N
# small files (one map task each) against the same bytes in 4 files; the overhead per task is the
# difference in wall time divided by N.
#
#   bench/many-tasks.sh [FILES] [BYTES_PER_FILE] [QUERN ARGS...]
#                                       (default 2000 files of 1024 bytes; the inputs are cached
#                                        in bench/data/)
#
# QUERN ARGS go to 'quern examples' before the example's name, e.g.
# -Dquern.input.combine=false. Needs the build (mvn -B -ntp -DskipTests package) and
# /usr/bin/time (Debian package "time"). QUERN_JAVA_OPTS passes JVM options to the quern command;
# QUERN names the quern command to run (default: this tree's bin/quern), e.g. another build's for a
# paired comparison on the same inputs. Each run gets a history directory of its own
# (quern.history.dir, after QUERN_JAVA_OPTS): a local run sweeps the attempt logs of every earlier
# run under its history directory while the job runs, which under a crowded ~/.quern/history cost
# a third of a run's CPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILES="${1:-2000}"
SIZE="${2:-1024}"
shift $(( $# >= 2 ? 2 : $# ))
SEED=42
DATA="$ROOT/bench/data"
MANY="$DATA/many-${FILES}x${SIZE}-seed${SEED}"
FEW="$DATA/few-${FILES}x${SIZE}-seed${SEED}"
RUN="$DATA/run-$$"
QUERN="${QUERN:-$ROOT/bin/quern}"
JAVA_OPTS_GIVEN="${QUERN_JAVA_OPTS:-}"

if [[ ! -x /usr/bin/time ]]; then
  echo "many-tasks.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "many-tasks.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi

mkdir -p "$DATA"
if [[ ! -d "$MANY" ]]; then
  echo "generating $MANY and $FEW ..."
  CORPUS="$DATA/corpus-small-${FILES}x${SIZE}-seed${SEED}.txt"
  MIB=$(( (FILES * SIZE + 1048575) / 1048576 + 1 ))
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$CORPUS" "$MIB" "$SEED" >/dev/null
  java "$ROOT/bench/many-tasks/SplitCorpus.java" "$CORPUS" "$MANY.tmp" "$FEW.tmp" "$FILES" "$SIZE"
  rm -f "$CORPUS"
  mv "$FEW.tmp" "$FEW"
  mv "$MANY.tmp" "$MANY"
fi
mkdir -p "$RUN"
trap 'rm -rf "$RUN"' EXIT

# Runs a command under /usr/bin/time; sets SECONDS_TAKEN, CPU_SECONDS (user + system) and PEAK_KB.
measure() {
  local log="$RUN/time.log"
  rm -rf "$RUN/out" "$RUN/history"
  QUERN_JAVA_OPTS="${JAVA_OPTS_GIVEN} -Dquern.history.dir=$RUN/history" \
    /usr/bin/time -v -o "$log" "$@" >"$RUN/stdout.log" 2>"$RUN/stderr.log" || {
    echo "failed: $*" >&2
    tail -n 20 "$RUN/stdout.log" "$RUN/stderr.log" >&2
    exit 1
  }
  local wall
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  SECONDS_TAKEN=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  PEAK_KB=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  CPU_SECONDS=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$log")
}

# The word counts of an output directory, sorted, for comparing two runs.
counts() {
  cat "$1"/part-* | sort
}

echo "input: $FILES files of $SIZE bytes ($MANY), $(nproc) cores"
measure "$QUERN" examples "$@" wordcount "$FEW" "$RUN/out"
FEW_S=$SECONDS_TAKEN
FEW_CPU=$CPU_SECONDS
printf "%-12s %8.2f s wall %7.1f s CPU %6.0f MB peak RSS\n" "4 files" "$SECONDS_TAKEN" \
  "$CPU_SECONDS" "$((PEAK_KB / 1024))"
counts "$RUN/out" >"$RUN/few.txt"
measure "$QUERN" examples "$@" wordcount "$MANY" "$RUN/out"
printf "%-12s %8.2f s wall %7.1f s CPU %6.0f MB peak RSS\n" "$FILES files" "$SECONDS_TAKEN" \
  "$CPU_SECONDS" "$((PEAK_KB / 1024))"
counts "$RUN/out" >"$RUN/many.txt"
if ! cmp -s "$RUN/few.txt" "$RUN/many.txt"; then
  echo "many-tasks.sh: the two runs counted different words" >&2
  exit 1
fi
awk -v a="$SECONDS_TAKEN" -v b="$FEW_S" -v c="$CPU_SECONDS" -v d="$FEW_CPU" -v n="$FILES" \
  'BEGIN { printf "overhead per input file: %.2f ms wall, %.2f ms CPU\n", (a - b) * 1000 / n, (c - d) * 1000 / n }'
