#!/usr/bin/env bash
# Skew benchmark: the same count of words with and without one key carrying half of them, through
# a word count with no combiner (bench/skew/SkewCount.java), so the hot key reaches one reducer as
# one group of half the records. Runs alternate (skewed, even, skewed, even, ...) as whole
# processes in this one run, so both see the same machine load; reports each side's median and
# their ratio (the goal: skewed at most 1.5x even).
#
#   bench/skew.sh [WORDS] [RUNS]     (default 40000000 words, about 280 MB each; 3 runs a side)
#
# Needs the build (mvn -B -ntp -DskipTests package) and /usr/bin/time (Debian package "time").
# QUERN_JAVA_OPTS passes JVM options to the quern command, e.g. QUERN_JAVA_OPTS=-Xmx1g.
# REDUCES sets the reduce tasks (default 8: on 2 slots the hot one overlaps the other seven).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORDS="${1:-40000000}"
RUNS="${2:-3}"
REDUCES="${REDUCES:-8}"
SEED=7
DATA="$ROOT/bench/data"
RUN="$DATA/skew-run-$$"
LIB="$ROOT/cli/target/lib"

if [[ ! -x /usr/bin/time ]]; then
  echo "skew.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "skew.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi
mkdir -p "$DATA" "$RUN"
trap 'rm -rf "$RUN"' EXIT

SKEWED="$DATA/skew-${WORDS}w-hot50-seed$SEED.txt"
EVEN="$DATA/skew-${WORDS}w-hot0-seed$SEED.txt"
for f in "$SKEWED:50" "$EVEN:0"; do
  file="${f%:*}" pct="${f##*:}"
  if [[ ! -f "$file" || ! -f "$file.hot" ]]; then
    echo "generating $file ($WORDS words, $pct% one key, seed $SEED) ..."
    java "$ROOT/bench/skew/GenerateSkewed.java" "$file.tmp" "$WORDS" "$pct" "$SEED" >"$file.hot"
    mv "$file.tmp" "$file"
  fi
done

# The job jar, compiled against the API in the build.
mkdir -p "$RUN/classes"
javac -nowarn -d "$RUN/classes" -cp "$ROOT/cli/target/quern-cli.jar:$LIB/*" \
  "$ROOT/bench/skew/SkewCount.java"
JAR="$RUN/skewcount.jar"
jar cf "$JAR" -C "$RUN/classes" .

# Runs a command under /usr/bin/time; sets SECONDS_TAKEN, CPU_SECONDS and PEAK_KB.
measure() {
  local log="$RUN/time.log"
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

# Checks a run's output: every word counted, and the hot key's count as generated.
verify() {
  local out="$1" input="$2"
  local total hot want_hot
  total=$(cat "$out"/part-* | awk -F'\t' '{ t += $2 } END { print t }')
  hot=$(cat "$out"/part-* | awk -F'\t' '$1 == "hhhhhh" { print $2 }')
  want_hot=$(cat "$input.hot")
  if [[ "$total" != "$WORDS" || "${hot:-0}" != "$want_hot" ]]; then
    echo "MISMATCH in $out: $total words (want $WORDS), hot key $hot (want $want_hot)" >&2
    exit 1
  fi
}

echo "$WORDS words a side, $REDUCES reduces, $RUNS runs a side, $(nproc) cores"
declare -a S_TIMES E_TIMES
for ((i = 1; i <= RUNS; i++)); do
  for side in skewed even; do
    if [[ $side == skewed ]]; then input="$SKEWED"; else input="$EVEN"; fi
    rm -rf "$RUN/out"
    measure "$ROOT/bin/quern" submit --ui-port 0 "$JAR" bench.skew.SkewCount "$input" \
      "$RUN/out" "$REDUCES"
    verify "$RUN/out" "$input"
    printf '%-7s run %d: %6.1f s wall %6.1f s CPU %5.0f MB peak RSS\n' "$side" "$i" \
      "$SECONDS_TAKEN" "$CPU_SECONDS" "$((PEAK_KB / 1024))"
    if [[ $side == skewed ]]; then S_TIMES+=("$SECONDS_TAKEN"); else E_TIMES+=("$SECONDS_TAKEN"); fi
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
S_MED=$(median "${S_TIMES[@]}")
E_MED=$(median "${E_TIMES[@]}")
awk -v s="$S_MED" -v e="$E_MED" \
  'BEGIN { printf "median: skewed %.1f s, even %.1f s; ratio skewed/even %.2f (goal <= 1.5)\n", s, e, s/e }'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
