#!/usr/bin/env bash
# Paired many-tasks runs: this tree's build (A) against another (B), interleaved A B A B, on the
# inputs bench/many-tasks.sh generates (run it once first for FILES x 1024 bytes). Each build
# runs the 4-file input once and the FILES-file input PAIRS times; the figure is the CPU (user +
# system of the finished process) per extra map: (many-files CPU - 4-files CPU) / FILES. Every
# output is checked against a count of the input made with tr, sort and uniq -c.
#
#   bench/many-tasks-paired.sh FILES REDUCES PAIRS B_QUERN [QUERN ARGS...]
#   e.g. bench/many-tasks-paired.sh 2000 200 3 /work/base/bin/quern -Dquern.input.combine=false
#
# Needs the build (mvn -B -ntp -DskipTests package) and /usr/bin/time (Debian package "time").
#
# Each run gets a history directory of its own (quern.history.dir, emptied after the run): a
# local run sweeps the attempt logs of every earlier run under its history directory on a thread
# of its own while the job runs, and under a shared ~/.quern/history holding hundreds of
# thousands of such files that sweep took a third of a run's CPU, more the longer the run (so it
# counted as cost per map). QUERN_JAVA_OPTS, if set, is passed on before it.
#
# PAUSE=SECONDS waits that long before each run. On ext4 without a journal (the root file system of
# the 2026-12-04 machine), a run right after one that deleted tens of thousands of files spends
# seconds of system CPU in inode allocation (the kernel skips inodes deleted less than
# dirty_expire_centisecs ago, 30 s by default, reading their inode table blocks to tell): at
# 10,000 x 1,000, 25-28 s of system CPU back to back against 6-13 s after a pause of 35 s.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILES="$1"
REDUCES="$2"
PAIRS="$3"
B_QUERN="$4"
shift 4
A_QUERN="$ROOT/bin/quern"
MANY="$ROOT/bench/data/many-${FILES}x1024-seed42"
FEW="$ROOT/bench/data/few-${FILES}x1024-seed42"
RUN="$ROOT/bench/data/paired-$$"
if [[ ! -d "$MANY" ]]; then
  echo "many-tasks-paired.sh: no $MANY: run bench/many-tasks.sh $FILES 1024 first" >&2
  exit 1
fi
mkdir -p "$RUN"
trap 'rm -rf "$RUN"' EXIT

# The independent count: word<TAB>count, sorted.
cat "$MANY"/* | tr -s ' \t' '\n' | grep -v '^$' | sort | uniq -c \
  | awk '{ print $2 "\t" $1 }' | LC_ALL=C sort >"$RUN/expected.txt"

# run LABEL QUERN INPUT: prints one line, sets CPU.
run() {
  local label="$1" quern="$2" input="$3"
  rm -rf "$RUN/out"
  sleep "${PAUSE:-0}"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  rm -rf "$RUN/history"
  QUERN_JAVA_OPTS="${JAVA_OPTS_GIVEN} -Dquern.history.dir=$RUN/history" \
    /usr/bin/time -v -o "$RUN/time.log" "$quern" examples -Dquern.reduce.tasks="$REDUCES" \
    "${ARGS[@]}" wordcount "$input" "$RUN/out" >"$RUN/stdout.log" 2>"$RUN/stderr.log" || {
    echo "failed: $label" >&2
    tail -n 20 "$RUN/stdout.log" "$RUN/stderr.log" >&2
    exit 1
  }
  cat "$RUN/out"/part-* | LC_ALL=C sort >"$RUN/got.txt"
  if ! cmp -s "$RUN/got.txt" "$RUN/expected.txt"; then
    echo "many-tasks-paired.sh: $label counted other words than tr/sort/uniq -c" >&2
    exit 1
  fi
  CPU=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$RUN/time.log")
  local user sys
  user=$(awk -F': ' '/User time/ { print $2 }' "$RUN/time.log")
  sys=$(awk -F': ' '/System time/ { print $2 }' "$RUN/time.log")
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$RUN/time.log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$RUN/time.log" | awk '{print int($NF / 1024)}')
  printf "%-22s load %5s  wall %9s  CPU %7.2f s (user %.2f, sys %.2f)  peak RSS %5d MB  (output checked)\n" \
    "$label" "$load" "$wall" "$CPU" "$user" "$sys" "$rss"
}
ARGS=("$@")
set --
JAVA_OPTS_GIVEN="${QUERN_JAVA_OPTS:-}"

echo "$FILES maps x $REDUCES reduces; A = $A_QUERN, B = $B_QUERN; $(nproc) cores"
run "A 4 files" "$A_QUERN" "$FEW"
A_FEW=$CPU
run "B 4 files" "$B_QUERN" "$FEW"
B_FEW=$CPU
for i in $(seq 1 "$PAIRS"); do
  run "A $FILES files #$i" "$A_QUERN" "$MANY"
  A_MANY=$CPU
  run "B $FILES files #$i" "$B_QUERN" "$MANY"
  B_MANY=$CPU
  awk -v a="$A_MANY" -v af="$A_FEW" -v b="$B_MANY" -v bf="$B_FEW" -v n="$FILES" -v i="$i" \
    'BEGIN { printf "pair %d: CPU per extra map A %.2f ms, B %.2f ms; many-files CPU A/B %.2f\n",
      i, (a - af) * 1000 / n, (b - bf) * 1000 / n, a / b }'
done
