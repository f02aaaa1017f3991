#!/usr/bin/env bash
# WordCount benchmark: Quern's WordCount example in local mode against the floor, a tight
# single-threaded byte-level count (bench/wordcount/ByteWordCount.java: one pass, an
# open-addressing table of byte keys), and against a plain HashMap<String, Integer> count
# (bench/wordcount/PlainWordCount.java), on the same seeded corpus. Issue 14's goal: Quern's wall
# time at most 0.6 of the floor's on each of the three corpus kinds.
#
#   bench/wordcount.sh [MEBIBYTES]             the bench corpus (default 1024 MiB)
#   bench/wordcount.sh KIND [MEBIBYTES]        KIND: bench (GenerateCorpus, 50,000 words),
#                                              vocab100k or vocab1m (GenerateVocabulary: random
#                                              lowercase words, Zipf 1.0, over 100,000 or
#                                              1,000,000 words)
#   bench/wordcount.sh check                   checks the floor's and the plain count's output
#                                              against each other on 9 MiB of each kind, no timing
#
# Corpora are generated with seed 42 and cached in bench/data/. All three counts must agree
# (sorted), or the script fails. Set PLAIN=0 to skip the plain count.
# Needs the build (mvn -B -ntp -DskipTests package) and /usr/bin/time (Debian package "time").
# QUERN_JAVA_OPTS passes JVM options to the quern command, e.g. QUERN_JAVA_OPTS=-Xmx2g.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WC="$ROOT/bench/wordcount"
SEED=42
DATA="$ROOT/bench/data"
KIND=bench
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  MIB="$1"
else
  KIND="${1:-bench}"
  MIB="${2:-1024}"
fi
RUN="$DATA/run-$$"

# Writes a corpus of kind $1, $2 MiB, to the file $3.
generate() {
  case "$1" in
    bench) java "$WC/GenerateCorpus.java" "$3.partial" "$2" "$SEED" >/dev/null ;;
    vocab100k) java "$WC/GenerateVocabulary.java" "$3.partial" "$2" 100000 "$SEED" ;;
    vocab1m) java "$WC/GenerateVocabulary.java" "$3.partial" "$2" 1000000 "$SEED" ;;
    *) echo "wordcount.sh: unknown corpus kind '$1' (bench, vocab100k, vocab1m or check)" >&2
       exit 2 ;;
  esac
  mv "$3.partial" "$3"
}

mkdir -p "$DATA" "$RUN"
trap 'rm -rf "$RUN"' EXIT
# Compiled once, so that no count's time includes compiling its source.
javac -d "$RUN/classes" "$WC/ByteWordCount.java" "$WC/PlainWordCount.java"
COUNT=(java -cp "$RUN/classes")

if [[ "$KIND" == check ]]; then
  for k in bench vocab100k vocab1m; do
    generate "$k" 9 "$RUN/$k.txt"
    "${COUNT[@]}" ByteWordCount "$RUN/$k.txt" "$RUN/floor.txt"
    "${COUNT[@]}" PlainWordCount "$RUN/$k.txt" "$RUN/plain.txt"
    if ! cmp -s <(LC_ALL=C sort "$RUN/floor.txt") <(LC_ALL=C sort "$RUN/plain.txt"); then
      echo "MISMATCH on $k: the floor's counts differ from the plain count" >&2
      exit 1
    fi
    echo "$k: floor and plain agree on $(wc -l <"$RUN/floor.txt") distinct words"
  done
  exit 0
fi

if [[ "$KIND" == bench ]]; then
  CORPUS="$DATA/corpus-${MIB}m-seed${SEED}.txt"
else
  CORPUS="$DATA/${KIND}-${MIB}m-seed${SEED}.txt"
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "wordcount.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 1
fi
if [[ ! -f "$ROOT/cli/target/quern-cli.jar" ]]; then
  echo "wordcount.sh: build first: mvn -B -ntp -DskipTests package" >&2
  exit 1
fi
if [[ ! -f "$CORPUS" ]]; then
  echo "generating $CORPUS ($KIND, $MIB MiB, seed $SEED) ..."
  generate "$KIND" "$MIB" "$CORPUS"
fi
BYTES=$(stat -L -c %s "$CORPUS")

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

# Fails unless the sorted word<TAB>count lines of $2 (files) equal those of $3.
same_counts() {
  if ! cmp -s <(LC_ALL=C sort $2) <(LC_ALL=C sort $3); then
    echo "MISMATCH: $1" >&2
    exit 1
  fi
}

echo "corpus: $CORPUS ($KIND, $BYTES bytes), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

measure "$ROOT/bin/quern" examples wordcount "$CORPUS" "$RUN/quern-out"
QUERN_S=$SECONDS_TAKEN QUERN_KB=$PEAK_KB QUERN_CPU=$CPU_SECONDS
cp "$RUN/stdout.log" "$RUN/quern-summary.log"

measure "${COUNT[@]}" ByteWordCount "$CORPUS" "$RUN/floor-out.txt"
FLOOR_S=$SECONDS_TAKEN FLOOR_KB=$PEAK_KB FLOOR_CPU=$CPU_SECONDS
same_counts "Quern's counts differ from the floor's" "$RUN/quern-out/part-*" "$RUN/floor-out.txt"

if [[ "${PLAIN:-1}" != 0 ]]; then
  measure "${COUNT[@]}" PlainWordCount "$CORPUS" "$RUN/plain-out.txt"
  PLAIN_S=$SECONDS_TAKEN PLAIN_KB=$PEAK_KB PLAIN_CPU=$CPU_SECONDS
  same_counts "the plain count differs from the floor's" "$RUN/plain-out.txt" "$RUN/floor-out.txt"
fi

echo
report "quern local (wordcount)" "$QUERN_S" "$QUERN_KB" "$QUERN_CPU"
report "byte floor (1 thread)" "$FLOOR_S" "$FLOOR_KB" "$FLOOR_CPU"
if [[ "${PLAIN:-1}" != 0 ]]; then
  report "plain java (1 thread)" "$PLAIN_S" "$PLAIN_KB" "$PLAIN_CPU"
fi
awk -v q="$QUERN_S" -v f="$FLOOR_S" -v qc="$QUERN_CPU" -v fc="$FLOOR_CPU" \
  'BEGIN { printf "ratio quern/floor: wall %.2f (goal <= 0.60), CPU %.2f (counts identical)\n", q/f, qc/fc }'
if [[ "${PLAIN:-1}" != 0 ]]; then
  awk -v q="$QUERN_S" -v p="$PLAIN_S" -v qc="$QUERN_CPU" -v pc="$PLAIN_CPU" \
    'BEGIN { printf "ratio quern/plain: wall %.2f, CPU %.2f\n", q/p, qc/pc }'
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E 'LAUNCHED_MAP_ATTEMPTS|SPILLED_RECORDS|SHUFFLE_BYTES' "$RUN/quern-summary.log" || true
