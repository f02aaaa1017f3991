#!/usr/bin/env bash
# Scale benchmark: does a job's cost stay linear as the input grows, in bounded memory? Runs
# Quern's WordCount over the seeded bench corpus at a small and a large size, and TeraSort over
# TeraGen's records at a small and a large row count, each a whole `quern examples` process
# (local mode, no web UI) under /usr/bin/time, and prints seconds and CPU per GiB at each size,
# the large/small ratio of both, and each run's peak RSS against the heap given.
#
#   bench/scale.sh [wordcount|terasort|both] [SMALL LARGE]
#     wordcount: SMALL and LARGE in MiB (default 1024 16384)
#     terasort:  SMALL and LARGE in rows (default 10000000 100000000 = 1 GB and 10 GB)
#     both:      the defaults of each
#
# Issue 14's goals, with QUERN_JAVA_OPTS=-Xmx1g (the default here when QUERN_JAVA_OPTS is unset):
# time per GiB at the large size <= 1.15x the time per GiB at the small one; peak RSS <= heap +
# 256 MiB. Every output is verified: WordCount's counts against the single-threaded byte-level
# count of bench/wordcount/ByteWordCount.java (an independent program), TeraSort's by
# `teravalidate` (global order) and its checksum against teragen's. Inputs are cached in
# DATA (default bench/data); the large ones take 16 GiB and 10 GB there, and a TeraSort run needs
# about twice its input again free while it runs. Needs the build and /usr/bin/time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHAT="${1:-both}"
DATA="${DATA:-$ROOT/bench/data}"
QUERN="$ROOT/bin/quern"
export QUERN_JAVA_OPTS="${QUERN_JAVA_OPTS:--Xmx1g}"
HEAP_MIB=$(echo "$QUERN_JAVA_OPTS" | grep -o -- '-Xmx[0-9]*[gGmM]' | tail -1 |
  awk '{ n = substr($0, 5) + 0; u = substr($0, length($0)); print (u ~ /[gG]/) ? n * 1024 : n }')
RUN="$DATA/scale-run-$$"

if [[ ! -x /usr/bin/time ]]; then
  echo "scale.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "scale.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi
case "$WHAT" in
  wordcount|terasort|both) ;;
  *) echo "usage: bench/scale.sh [wordcount|terasort|both] [SMALL LARGE]" >&2; exit 2 ;;
esac
if [[ "$WHAT" == both && $# -gt 1 ]]; then
  echo "scale.sh: 'both' takes no sizes (each job's defaults)" >&2
  exit 2
fi
mkdir -p "$DATA" "$RUN"
trap 'rm -rf "$RUN"' EXIT

# Runs a command under /usr/bin/time; sets WALL, CPU (user + system) and PEAK_MIB; its output
# goes to $RUN/$1.log.
measure() {
  local name="$1"; shift
  /usr/bin/time -v -o "$RUN/$name.time" "$@" >"$RUN/$name.log" 2>&1 || {
    echo "failed: $*" >&2
    tail -30 "$RUN/$name.log" >&2
    exit 1
  }
  WALL=$(grep 'Elapsed (wall clock)' "$RUN/$name.time" | awk '{print $NF}' |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  CPU=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$RUN/$name.time")
  PEAK_MIB=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$RUN/$name.time")
}

# Prints one result line and records seconds per GiB in PER_GIB_WALL and PER_GIB_CPU.
report() {
  local name="$1" bytes="$2"
  PER_GIB_WALL=$(awk -v s="$WALL" -v b="$bytes" 'BEGIN { printf "%.3f", s / (b / 1073741824) }')
  PER_GIB_CPU=$(awk -v s="$CPU" -v b="$bytes" 'BEGIN { printf "%.3f", s / (b / 1073741824) }')
  awk -v n="$name" -v b="$bytes" -v w="$WALL" -v c="$CPU" -v pw="$PER_GIB_WALL" \
    -v pc="$PER_GIB_CPU" -v r="$PEAK_MIB" -v h="$HEAP_MIB" 'BEGIN {
      printf "%-28s %6.2f GiB %8.1f s wall %8.1f s CPU %6.2f s/GiB wall %6.2f s/GiB CPU %6d MiB peak RSS", n, b / 1073741824, w, c, pw, pc, r
      if (h != "") printf " (heap %d MiB, %+d MiB beside it)", h, r - h
      printf "\n" }'
}

ratio() {
  awk -v n="$1" -v sw="$2" -v lw="$3" -v sc="$4" -v lc="$5" 'BEGIN {
    printf "%s: time per GiB large/small: wall %.2f, CPU %.2f (goal <= 1.15)\n", n, lw / sw, lc / sc }'
}

wordcount() {
  local small="${1:-1024}" large="${2:-16384}" mib corpus name small_wall small_cpu
  javac -d "$RUN/classes" "$ROOT/bench/wordcount/ByteWordCount.java"
  for mib in "$small" "$large"; do
    corpus="$DATA/corpus-${mib}m-seed42.txt"
    if [[ ! -f "$corpus" ]]; then
      echo "generating $corpus ..."
      java "$ROOT/bench/wordcount/GenerateCorpus.java" "$corpus.partial" "$mib" 42 >/dev/null
      mv "$corpus.partial" "$corpus"
    fi
    name="wordcount-$mib"
    measure "$name" "$QUERN" examples --ui-port 0 wordcount "$corpus" "$RUN/$name-out"
    report "quern wordcount ${mib} MiB" "$(stat -L -c %s "$corpus")"
    java -cp "$RUN/classes" ByteWordCount "$corpus" "$RUN/$name-floor.txt"
    if ! cmp -s <(LC_ALL=C sort "$RUN/$name-out"/part-*) <(LC_ALL=C sort "$RUN/$name-floor.txt"); then
      echo "MISMATCH: Quern's counts of $corpus differ from the byte-level count's" >&2
      exit 1
    fi
    echo "  counts identical to the byte-level count ($(wc -l <"$RUN/$name-floor.txt") words)"
    rm -rf "$RUN/$name-out" "$RUN/$name-floor.txt"
    if [[ "$mib" == "$small" ]]; then small_wall=$PER_GIB_WALL small_cpu=$PER_GIB_CPU; fi
  done
  ratio "wordcount ${large}/${small} MiB" "$small_wall" "$PER_GIB_WALL" "$small_cpu" "$PER_GIB_CPU"
}

terasort() {
  local small="${1:-10000000}" large="${2:-100000000}" rows input name gen_sum val_sum small_wall small_cpu
  for rows in "$small" "$large"; do
    input="$DATA/tera-$rows"
    if [[ ! -f "$input/_SUCCESS" || ! -f "$input.checksum" ]]; then
      echo "generating $rows TeraGen rows into $input ..."
      rm -rf "$input"
      "$QUERN" examples --ui-port 0 teragen "$rows" "$input" >"$RUN/teragen.log" 2>&1
      grep -o 'checksum [0-9a-f]*' "$RUN/teragen.log" | tail -1 | awk '{print $2}' >"$input.checksum"
    fi
    gen_sum=$(cat "$input.checksum")
    name="terasort-$rows"
    measure "$name" "$QUERN" examples --ui-port 0 terasort "$input" "$RUN/$name-out"
    report "quern terasort $rows rows" "$((rows * 100))"
    "$QUERN" examples --ui-port 0 teravalidate "$RUN/$name-out" "$RUN/$name-validate" \
      >"$RUN/$name-validate.log" 2>&1 || {
      echo "teravalidate failed on the output of $input:" >&2
      tail -30 "$RUN/$name-validate.log" >&2
      exit 1
    }
    val_sum=$(grep -o 'checksum [0-9a-f]*' "$RUN/$name-validate.log" | tail -1 | awk '{print $2}')
    if [[ -z "$gen_sum" || "$gen_sum" != "$val_sum" ]]; then
      echo "MISMATCH: teragen checksum '$gen_sum', teravalidate checksum '$val_sum' ($input)" >&2
      exit 1
    fi
    echo "  sorted, and teravalidate's checksum equals teragen's ($val_sum)"
    rm -rf "$RUN/$name-out" "$RUN/$name-validate"
    if [[ "$rows" == "$small" ]]; then small_wall=$PER_GIB_WALL small_cpu=$PER_GIB_CPU; fi
  done
  ratio "terasort ${large}/${small} rows" "$small_wall" "$PER_GIB_WALL" "$small_cpu" "$PER_GIB_CPU"
}

echo "scale.sh: QUERN_JAVA_OPTS=$QUERN_JAVA_OPTS, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
case "$WHAT" in
  wordcount) wordcount "${2:-}" "${3:-}" ;;
  terasort) terasort "${2:-}" "${3:-}" ;;
  both) wordcount; terasort ;;
esac
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
