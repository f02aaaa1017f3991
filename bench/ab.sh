#!/usr/bin/env bash
# Paired comparison of two builds: runs the same quern command from a base build and from this
# tree, alternating (base, this, base, this, ...) as whole processes, so both see the same load;
# prints each run and the medians' ratios (this/base) of wall time, CPU time and peak RSS.
#
#   bench/ab.sh BASE_ROOT RUNS QUERN-ARGS...
#
# BASE_ROOT is another checkout, built (mvn -B -ntp -DskipTests package), e.g. of the commit
# before a change: git archive BASE | tar -x -C /tmp/base && (cd /tmp/base && mvn -B -ntp -o
# -DskipTests package). In QUERN-ARGS, {out} stands for a fresh output directory of each run:
#
#   bench/ab.sh /tmp/base 3 examples wordcount bench/data/corpus-1024m-seed42.txt {out}
#
# Needs /usr/bin/time (Debian package "time"). QUERN_JAVA_OPTS applies to both sides;
# AB_BASE_JAVA_OPTS, when set, replaces it on the base side only, so BASE_ROOT may be this tree
# itself to compare JVM options of one build, e.g. G1 against bin/quern's collector for local runs:
#
#   AB_BASE_JAVA_OPTS=-XX:+UseG1GC bench/ab.sh . 5 examples wordcount bench/data/corpus-256m-seed42.txt {out}
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if (( $# < 3 )); then
  echo "usage: bench/ab.sh BASE_ROOT RUNS QUERN-ARGS...   ({out}: a fresh output directory)" >&2
  exit 2
fi
BASE="$(cd "$1" && pwd)"
RUNS="$2"
shift 2
for r in "$BASE" "$ROOT"; do
  [[ -f "$r/cli/target/quern-cli.jar" ]] || { echo "ab.sh: $r is not built" >&2; exit 1; }
done
RUN="$(mktemp -d "${TMPDIR:-/tmp}/quern-ab.XXXXXX")"
trap 'rm -rf "$RUN"' EXIT

# Runs one side once; prints "wall cpu peak_kb".
once() {
  local side="$1" root="$2" out="$RUN/out" args=() a
  shift 2
  rm -rf "$out"
  for a in "$@"; do args+=("${a//\{out\}/$out}"); done
  local opts="${QUERN_JAVA_OPTS:-}"
  if [[ "$side" == base && -n "${AB_BASE_JAVA_OPTS+set}" ]]; then opts="$AB_BASE_JAVA_OPTS"; fi
  QUERN_JAVA_OPTS="$opts" /usr/bin/time -v -o "$RUN/time.log" "$root/bin/quern" "${args[@]}" \
    >"$RUN/stdout.log" \
    2>"$RUN/stderr.log" || {
    echo "failed ($root): ${args[*]}" >&2
    tail -n 20 "$RUN/stdout.log" "$RUN/stderr.log" >&2
    exit 1
  }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
    /User time|System time/ { c += $2 }
    /Maximum resident set size/ { k = $2 }
    END { printf "%.2f %.2f %d\n", w, c, k }' "$RUN/time.log"
}

echo "base: $BASE${AB_BASE_JAVA_OPTS+ (QUERN_JAVA_OPTS=$AB_BASE_JAVA_OPTS)}"
echo "this: $ROOT"
echo "command: quern $*   ($RUNS runs a side, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
: >"$RUN/base.txt"
: >"$RUN/this.txt"
for ((i = 1; i <= RUNS; i++)); do
  b=$(once base "$BASE" "$@"); echo "$b" >>"$RUN/base.txt"
  t=$(once this "$ROOT" "$@"); echo "$t" >>"$RUN/this.txt"
  echo "run $i: base $b   this $t   (wall s, CPU s, peak KB)"
done
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for col in 1 2 3; do
  bm=$(awk -v c=$col '{ print $c }' "$RUN/base.txt" | median)
  tm=$(awk -v c=$col '{ print $c }' "$RUN/this.txt" | median)
  name=$(echo "wall CPU RSS" | cut -d' ' -f$col)
  awk -v n="$name" -v b="$bm" -v t="$tm" 'BEGIN { printf "median %-4s base %10.2f this %10.2f ratio this/base %.3f\n", n, b, t, t/b }'
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
