#!/usr/bin/env bash
# Small-job latency: a seeded 64 KiB WordCount end to end (local mode, no web UI), as a user runs
# it: 'quern examples --ui-port 0 wordcount IN OUT' as a whole process under /usr/bin/time.
# Prints every run (wall, CPU = user + system, peak RSS) and the median and maximum wall time.
#
#   bench/latency.sh [RUNS] [BASE_ROOT]     (default 20 runs)
#
# With BASE_ROOT (another checkout, built with mvn -B -ntp -DskipTests package) the runs
# alternate, base then this tree, so both see the same load, and the medians' ratio (this/base)
# is printed too. The goal (issue 14): median <= 0.6 s, every run under 0.8 s. Each side runs
# once before the measured runs (not counted), so its class-data-sharing archive exists.
# Needs /usr/bin/time (Debian package "time"); QUERN_JAVA_OPTS applies to both sides.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-20}"
BASE="${2:-}"
SEED=42
DATA="$ROOT/bench/data"
INPUT="$DATA/corpus-64k-seed$SEED.txt"

if [[ ! -x /usr/bin/time ]]; then
  echo "latency.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
SIDES=("$ROOT")
if [[ -n "$BASE" ]]; then
  BASE="$(cd "$BASE" && pwd)"
  SIDES=("$BASE" "$ROOT")
fi
for r in "${SIDES[@]}"; do
  [[ -f "$r/cli/target/quern-cli.jar" ]] || { echo "latency.sh: build $r first: mvn -B -ntp -DskipTests package" >&2; exit 1; }
done
mkdir -p "$DATA"
if [[ ! -f "$INPUT" ]]; then
  java "$ROOT/bench/wordcount/GenerateCorpus.java" "$INPUT" 64k "$SEED" >/dev/null
fi
RUN="$(mktemp -d "${TMPDIR:-/tmp}/quern-latency.XXXXXX")"
trap 'rm -rf "$RUN"' EXIT

# Runs one side once; prints "wall cpu peak_mb".
once() {
  local root="$1" log="$RUN/time.log"
  rm -rf "$RUN/out"
  /usr/bin/time -v -o "$log" "$root/bin/quern" examples --ui-port 0 wordcount "$INPUT" \
    "$RUN/out" >"$RUN/stdout.log" 2>"$RUN/stderr.log" || {
    echo "failed ($root)" >&2
    tail -n 20 "$RUN/stdout.log" "$RUN/stderr.log" >&2
    exit 1
  }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
    /User time|System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.3f %.2f %.0f\n", wall, cpu, rss }' "$log"
}

# Median and maximum of the numbers on stdin.
stats() {
  sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f\n", m, v[NR] }'
}

echo "input: $INPUT (64 KiB), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
for r in "${SIDES[@]}"; do once "$r" >/dev/null; done # warm-up: the CDS archive, the page cache
for i in $(seq 1 "$RUNS"); do
  for s in "${!SIDES[@]}"; do
    read -r wall cpu rss < <(once "${SIDES[$s]}")
    echo "$wall $cpu $rss" >>"$RUN/side$s"
    printf "run %2d %-4s %6.3f s wall %5.2f s CPU %4d MB peak RSS\n" "$i" \
      "$([[ ${#SIDES[@]} == 2 && $s == 0 ]] && echo base || echo this)" "$wall" "$cpu" "$rss"
  done
done
echo "load after: $(uptime | sed 's/.*load average: //')"
for s in "${!SIDES[@]}"; do
  name="$([[ ${#SIDES[@]} == 2 && $s == 0 ]] && echo base || echo this)"
  read -r med max < <(cut -d' ' -f1 "$RUN/side$s" | stats)
  read -r cmed _ < <(cut -d' ' -f2 "$RUN/side$s" | stats)
  read -r rmed _ < <(cut -d' ' -f3 "$RUN/side$s" | stats)
  printf "%-4s wall median %.3f s, max %.3f s; CPU median %.2f s; peak RSS median %.0f MB\n" \
    "$name" "$med" "$max" "$cmed" "$rmed"
  echo "$med $cmed $rmed" >"$RUN/med$s"
done
if [[ ${#SIDES[@]} == 2 ]]; then
  paste -d' ' "$RUN/med0" "$RUN/med1" | awk '{ printf "this/base: wall %.2f, CPU %.2f, RSS %.2f\n", $4 / $1, $5 / $2, $6 / $3 }'
fi
