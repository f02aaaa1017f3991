#!/usr/bin/env bash
# TeraSort benchmark: Quern's teragen, terasort and teravalidate in local mode, each timed, against
# GNU sort of the same records.
#
#   bench/terasort.sh [ROWS]      (default 10000000 rows = 1 GB of 100-byte records)
#
# Builds first if the distribution is missing (mvn -B -ntp -DskipTests package). Needs
# /usr/bin/time (Debian package "time"; installed with apt-get when missing and run as root).
# QUERN_JAVA_OPTS passes JVM options to the quern command, e.g. QUERN_JAVA_OPTS=-Xmx2g.
# KEEP=1 keeps the run directory (bench/data/terasort-run-PID) for inspection.
#
# The baseline: TeraGen's records are binary (10-byte key, 90-byte value), so they are converted
# once, untimed, by bench/terasort/ToSortLines.java into 111-byte lines: the key as 20 lowercase
# hex digits, the 90 value bytes, a newline. Under LC_ALL=C, sort's order on characters 1-20 is
# the keys' unsigned byte order, TeraSort's order. Only `LC_ALL=C sort -S 4G --parallel=2 -k1.1,1.20`
# of that file is timed. Afterwards (untimed) the sorted keys of both are compared.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-10000000}"
if ! [[ "$ROWS" =~ ^[0-9]+$ ]] || (( ROWS == 0 )); then
  echo "usage: bench/terasort.sh [ROWS]   (a positive whole number, default 10000000)" >&2
  exit 2
fi
BYTES=$(( ROWS * 100 ))
RUN="$ROOT/bench/data/terasort-run-$$"
QUERN="$ROOT/bin/quern"
EXAMPLES_JAR="$ROOT/cli/target/examples/quern-examples.jar"

if [[ ! -x /usr/bin/time ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing /usr/bin/time (apt-get install -y time) ..."
    apt-get install -y -q time >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
  else
    echo "terasort.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
    exit 1
  fi
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" || ! -f "$EXAMPLES_JAR" ]]; then
  echo "building: mvn -B -ntp -DskipTests package ..."
  (cd "$ROOT" && mvn -B -ntp -DskipTests package >"${TMPDIR:-/tmp}/quern-terasort-build-$$.log" 2>&1) || {
    echo "terasort.sh: the build failed; see ${TMPDIR:-/tmp}/quern-terasort-build-$$.log" >&2
    exit 1
  }
fi

mkdir -p "$RUN"
if [[ "${KEEP:-0}" != 1 ]]; then
  trap 'rm -rf "$RUN"' EXIT
fi

# The registered example names when the examples jar lists them, else the driver classes;
# sets CMD to the command line that runs example NAME with ARGS.
if "$QUERN" examples 2>/dev/null | grep -qw teragen; then
  REGISTERED=1
else
  REGISTERED=0
fi
example_cmd() {
  local name="$1"; shift
  if (( REGISTERED )); then
    CMD=("$QUERN" examples "$name" "$@")
    return
  fi
  local cls
  case "$name" in
    teragen) cls=dev.quern.examples.terasort.TeraGen ;;
    terasort) cls=dev.quern.examples.terasort.TeraSort ;;
    teravalidate) cls=dev.quern.examples.terasort.TeraValidate ;;
  esac
  CMD=("$QUERN" submit "$EXAMPLES_JAR" "$cls" "$@")
}

# Runs a command under /usr/bin/time; sets SECONDS_TAKEN and PEAK_KB, keeps its output in LAST_OUT.
measure() {
  local log="$RUN/time.log"
  LAST_OUT="$RUN/out-$1.log"
  shift
  /usr/bin/time -v -o "$log" "$@" >"$LAST_OUT" 2>&1 || {
    echo "failed: $*" >&2
    tail -30 "$LAST_OUT" >&2
    exit 1
  }
  local wall
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  SECONDS_TAKEN=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  PEAK_KB=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
}

report() {
  awk -v name="$1" -v s="$2" -v kb="$3" -v b="$BYTES" \
    'BEGIN { printf "%-26s %8.1f s %8.1f MB/s %7.0f MB peak RSS\n", name, s, b/1e6/s, kb/1024 }'
}

echo "terasort.sh: $ROWS rows ($BYTES bytes), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"

example_cmd teragen "$ROWS" "$RUN/in"
echo "${CMD[*]}"
measure teragen "${CMD[@]}"
GEN_S=$SECONDS_TAKEN GEN_KB=$PEAK_KB
GEN_SUM=$(grep -o 'checksum [0-9a-f]*' "$LAST_OUT" | tail -1 | awk '{print $2}')

example_cmd terasort "$RUN/in" "$RUN/sorted"
echo "${CMD[*]}"
measure terasort "${CMD[@]}"
SORT_S=$SECONDS_TAKEN SORT_KB=$PEAK_KB

example_cmd teravalidate "$RUN/sorted" "$RUN/validate"
echo "${CMD[*]}"
measure teravalidate "${CMD[@]}"
VAL_S=$SECONDS_TAKEN VAL_KB=$PEAK_KB
VAL_SUM=$(grep -o 'checksum [0-9a-f]*' "$LAST_OUT" | tail -1 | awk '{print $2}')
if [[ -z "$GEN_SUM" || "$GEN_SUM" != "$VAL_SUM" ]]; then
  echo "MISMATCH: teragen checksum '$GEN_SUM', teravalidate checksum '$VAL_SUM'" >&2
  exit 1
fi

echo "converting the input for GNU sort (untimed) ..."
java "$ROOT/bench/terasort/ToSortLines.java" "$RUN/in" "$RUN/lines.txt"
rm -rf "$RUN/in"
measure gnusort env LC_ALL=C sort -S 4G --parallel=2 -k1.1,1.20 -T "$RUN" -o "$RUN/lines-sorted.txt" "$RUN/lines.txt"
GNU_S=$SECONDS_TAKEN GNU_KB=$PEAK_KB

# Untimed check that both put the keys in the same order.
java "$ROOT/bench/terasort/ToSortLines.java" "$RUN/sorted" "$RUN/quern-lines.txt"
if ! cmp -s <(LC_ALL=C cut -c1-20 "$RUN/quern-lines.txt") <(LC_ALL=C cut -c1-20 "$RUN/lines-sorted.txt"); then
  echo "MISMATCH: Quern's sorted keys differ from GNU sort's" >&2
  exit 1
fi

echo
report "quern teragen" "$GEN_S" "$GEN_KB"
report "quern terasort" "$SORT_S" "$SORT_KB"
report "quern teravalidate" "$VAL_S" "$VAL_KB"
report "GNU sort -S 4G --parallel=2" "$GNU_S" "$GNU_KB"
awk -v q="$SORT_S" -v g="$GNU_S" 'BEGIN { printf "ratio quern terasort / GNU sort wall time: %.2f (checksum %s, key order identical)\n", q/g, "'"$GEN_SUM"'" }'
