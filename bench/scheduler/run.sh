#!/usr/bin/env bash
# Scheduler benchmark: the pure scheduler (master/.../engine/Scheduler) with WORKERS workers and
# TASKS tasks, driven by a discrete-event simulation of its workers (SchedulerBench.java); prints
# task assignments per second of CPU spent inside the scheduler, for this tree and for a baseline
# (the scheduler of BASE_REF, default the commit this branch started from), in alternating whole
# processes, ROUNDS times per shape, then the median of each and their ratio.
#
#   bench/scheduler/run.sh [WORKERS] [TASKS] [ROUNDS] [SHAPES]
#                          (defaults 1000 100000 3 "one-job many-jobs")
#   BASE_REF=<commit> bench/scheduler/run.sh ...   (BASE_REF=none: this tree only)
#
# Never runs `mvn install`: the sibling modules come from the reactor's target/classes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORKERS="${1:-1000}"
TASKS="${2:-100000}"
ROUNDS="${3:-3}"
SHAPES="${4:-one-job many-jobs}"
BASE_REF="${BASE_REF:-$(git merge-base HEAD main 2>/dev/null || echo none)}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

mvn -B -ntp -o -q -pl master -am compile dependency:build-classpath \
    -Dmdep.outputFile="$TMP/deps.cp" >/dev/null
DEPS="$(cat "$TMP/deps.cp")"
NEW="master/target/classes:$DEPS"

mkdir -p "$TMP/bench"
# The scheduler logs each event at debug; the benchmark measures decisions, not logging.
cat > "$TMP/bench/logback.xml" <<'XML'
<configuration><root level="OFF"/></configuration>
XML
javac -nowarn -d "$TMP/bench" -cp "$NEW" bench/scheduler/SchedulerBench.java

BASE=""
if [[ "$BASE_REF" != none && "$BASE_REF" != "$(git rev-parse HEAD)" ]]; then
  # The baseline's master module, compiled on its own against the same dependencies.
  mkdir -p "$TMP/base-src" "$TMP/base-classes"
  git archive "$BASE_REF" master/src/main/java | tar -x -C "$TMP/base-src"
  find "$TMP/base-src" -name '*.java' > "$TMP/base.list"
  javac -nowarn -proc:none -d "$TMP/base-classes" -cp "$DEPS" @"$TMP/base.list" 2>"$TMP/javac.log" \
    || { cat "$TMP/javac.log" >&2; exit 1; }
  BASE="$TMP/base-classes:$DEPS"
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; base: $BASE_REF"
run() { # version classpath shape
  local line
  line=$(java -Xmx2g -XX:+UseParallelGC -cp "$TMP/bench:$2" SchedulerBench "$3" "$WORKERS" "$TASKS" | tail -n 1)
  echo "$1 $line load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "$1 $line" >> "$TMP/results"
}
for ((r = 1; r <= ROUNDS; r++)); do
  for shape in $SHAPES; do
    # Alternate which goes first, so drifts in the machine's load fall on both.
    if [[ -n "$BASE" && $((r % 2)) -eq 0 ]]; then
      run base "$BASE" "$shape"; run new "$NEW" "$shape"
    else
      run new "$NEW" "$shape"
      [[ -n "$BASE" ]] && run base "$BASE" "$shape"
    fi
  done
done

echo "medians (assignments per CPU second inside the scheduler):"
for shape in $SHAPES; do
  new=$(grep "^new shape=$shape " "$TMP/results" | sed 's/.*assignments_per_cpu_s=//' | sort -n \
    | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  if [[ -n "$BASE" ]]; then
    base=$(grep "^base shape=$shape " "$TMP/results" | sed 's/.*assignments_per_cpu_s=//' \
      | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "  $shape: new $new, base $base, new/base $(awk -v n="$new" -v b="$base" 'BEGIN {printf "%.2f", n/b}')"
  else
    echo "  $shape: $new"
  fi
done
