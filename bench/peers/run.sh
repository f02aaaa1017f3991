#!/usr/bin/env bash
# Quern against its peers, each run as one whole process timed by /usr/bin/time (JVM start
# included), on the same inputs in the same run:
#   WordCount  (64 KiB and N MiB of a seeded Zipf corpus): Hadoop MapReduce local, Spark local[2],
#              Quern (bin/quern examples wordcount)
#   TeraSort   (N rows of Hadoop TeraGen data):            Hadoop, Spark, Quern (if its examples
#              list terasort), and GNU sort as the plain sorting baseline
# Every output is checked (WordCount: all outputs equal after sorting, counts summing to the
# corpus's `wc -w`; TeraSort: sorted, same records as the input by count and CRC32 sum).
#
#   bench/peers/run.sh [--wordcount-mib N] [--terasort-rows N] [--heap SIZE] [--data DIR]
#                      [--quern-home DIR] [--rebuild]
#
#   --wordcount-mib N   corpus size in MiB (default 1024)
#   --terasort-rows N   TeraGen rows of 100 bytes (default 10000000, i.e. 1 GB)
#   --heap SIZE         -Xmx of every JVM: Hadoop, Spark and Quern alike (default 2g)
#   --data DIR          inputs (reused across runs), logs and results (default bench/peers/data)
#   --quern-home DIR    the Quern build whose bin/quern runs (default: this repository)
#   --rebuild           rebuild the peers project even if its classpaths exist
#
# Needs Java 17, Maven (the peers come from Maven Central: mvn -B -ntp -f bench/peers/pom.xml
# package, run here on first use), /usr/bin/time (Debian package "time"), and for Quern a build
# of the repository (mvn -B -ntp -DskipTests package); without one the Quern rows are skipped.
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS/../.." && pwd)"
WC_MIB=1024
TS_ROWS=10000000
HEAP=2g
DATA="$PEERS/data"
QUERN_HOME="$ROOT"
REBUILD=0
SEED=42
TINY_KIB=64

die() { echo "run.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }
number() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '$2'"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --wordcount-mib) number "$1" "${2:-}"; WC_MIB="$2"; shift 2 ;;
    --terasort-rows) number "$1" "${2:-}"; TS_ROWS="$2"; shift 2 ;;
    --heap) [[ "${2:-}" =~ ^[0-9]+[kmgKMG]$ ]] || die "--heap needs a size like 2g, not '${2:-}'"
      HEAP="$2"; shift 2 ;;
    --data) [[ -n "${2:-}" ]] || die "--data needs a directory"; DATA="$2"; shift 2 ;;
    --quern-home) [[ -n "${2:-}" ]] || die "--quern-home needs a directory"
      QUERN_HOME="$(cd "$2" && pwd)"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
command -v java >/dev/null || die "java is missing (Java 17 needed)"
command -v mvn >/dev/null || die "mvn is missing (needed once to fetch Hadoop and Spark)"

HADOOP_JAR="$PEERS/hadoop/target/quern-bench-peers-hadoop-0.1.0-SNAPSHOT.jar"
SPARK_JAR="$PEERS/spark/target/quern-bench-peers-spark-0.1.0-SNAPSHOT.jar"
mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
if [[ $REBUILD == 1 || ! -f "$HADOOP_JAR" || ! -f "$SPARK_JAR" || ! -d "$PEERS/hadoop/target/lib" \
      || ! -d "$PEERS/spark/target/lib" ]]; then
  echo "building the peers project (Hadoop, Spark from Maven Central) ..."
  mvn -B -ntp -f "$PEERS/pom.xml" package >"$DATA/build.log" 2>&1 \
    || { tail -40 "$DATA/build.log" >&2; die "peers build failed (log: $DATA/build.log)"; }
fi

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RUN="$DATA/run-$STAMP"
mkdir -p "$RUN/logs"
RESULTS="$DATA/results-$STAMP.txt"

# ---- the systems, each one plain java process -------------------------------------------------

HADOOP_CONF=(-Dmapreduce.framework.name=local -Dfs.defaultFS=file:///
  -Dhadoop.tmp.dir="$RUN/hadoop-tmp"
  # The local runner runs one map at a time unless told otherwise: give it the 2 cores Spark
  # (local[2]) and Quern (local[2]) get.
  -Dmapreduce.local.map.tasks.maximum=2 -Dmapreduce.local.reduce.tasks.maximum=2
  -Dmapreduce.job.reduces=2)
# Each *_cmd sets CMD to the system's command line, which measure() runs under /usr/bin/time.
CMD=()
hadoop_cmd() {
  CMD=(java -Xmx"$HEAP" -cp "$HADOOP_JAR:$PEERS/hadoop/target/lib/*"
    org.apache.hadoop.examples.ExampleDriver "$1" "${HADOOP_CONF[@]}" "${@:2}")
}

# What Spark 4.2's launcher adds to every JVM (org.apache.spark.launcher.JavaModuleOptions).
SPARK_JVM=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --enable-native-access=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.type=pooled -Dio.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE)
spark_cmd() {
  CMD=(java -Xmx"$HEAP" "${SPARK_JVM[@]}" -Dspark.master='local[2]' -Dspark.local.dir="$RUN/spark-tmp"
    -cp "$SPARK_JAR:$PEERS/spark/target/lib/*" dev.quern.bench.peers.spark.Main "$@")
}

QUERN="$QUERN_HOME/bin/quern"
quern_cmd() {
  CMD=(env QUERN_JAVA_OPTS="-Xmx$HEAP" "$QUERN" examples --master 'local[2]' "$@")
}

QUERN_WC=0 QUERN_TS=0 QUERN_NOTE=""
if [[ -x "$QUERN" && -f "$QUERN_HOME/cli/target/quern-cli.jar" ]]; then
  examples="$("$QUERN" examples 2>&1 || true)"
  grep -qE '^ +wordcount ' <<<"$examples" && QUERN_WC=1
  grep -qE '^ +terasort ' <<<"$examples" && QUERN_TS=1
  [[ $QUERN_WC == 1 ]] || QUERN_NOTE+="Quern: 'quern examples' lists no wordcount. "
  [[ $QUERN_TS == 1 ]] || QUERN_NOTE+="Quern: 'quern examples' lists no terasort, so no Quern TeraSort row. "
elif [[ -x "$QUERN" ]]; then
  QUERN_NOTE="Quern: $QUERN_HOME is not built (no cli/target/quern-cli.jar; run mvn -B -ntp -DskipTests package there): Quern rows skipped. "
else
  QUERN_NOTE="Quern: no bin/quern in $QUERN_HOME (the engine/CLI is not on this branch yet): Quern rows skipped. "
fi

# ---- inputs (generated once, reused) ----------------------------------------------------------

TINY="$DATA/corpus-${TINY_KIB}k-seed$SEED.txt"
CORPUS="$DATA/corpus-${WC_MIB}m-seed$SEED.txt"
TERAGEN="$DATA/teragen-$TS_ROWS"
LINES="$DATA/teragen-$TS_ROWS.lines"
[[ -f "$TINY" ]] || java "$ROOT/bench/wordcount/GenerateCorpus.java" "$TINY" "${TINY_KIB}k" "$SEED"
[[ -f "$CORPUS" ]] || java "$ROOT/bench/wordcount/GenerateCorpus.java" "$CORPUS" "$WC_MIB" "$SEED"
if [[ ! -f "$TERAGEN/_SUCCESS" ]]; then
  echo "generating $TERAGEN with Hadoop's teragen ($TS_ROWS rows) ..."
  rm -rf "$TERAGEN"
  hadoop_cmd teragen -Dmapreduce.job.maps=2 "$TS_ROWS" "$TERAGEN"
  "${CMD[@]}" >"$RUN/logs/teragen.log" 2>&1 \
    || { tail -30 "$RUN/logs/teragen.log" >&2; die "teragen failed (log: $RUN/logs/teragen.log)"; }
fi
# GNU sort sorts lines, TeraGen keys are binary: convert once, untimed (see tools/TeraTool.java).
[[ -f "$LINES" ]] || java "$PEERS/tools/TeraTool.java" tolines "$TERAGEN" "$LINES"

# ---- measuring --------------------------------------------------------------------------------

ROWS=()  # job|system|input bytes|wall s|cpu s|peak KB|load1|check
WALL="" CPU="" PEAK="" LOAD=""

# Runs one whole process under /usr/bin/time; sets WALL (s), CPU (user + system s), PEAK (KB) and
# LOAD (the 1-minute load average at its start).
measure() {
  local name="$1"; shift
  local log="$RUN/logs/$name"
  LOAD="$(cut -d' ' -f1 /proc/loadavg)"
  if /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
    WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":");
      print (n == 3 ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]) }' "$log.time")"
    CPU="$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$log.time")"
    PEAK="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log.time")"
    return 0
  fi
  echo "FAILED: $name (logs: $log.out, $log.err)" >&2
  tail -15 "$log.err" >&2 || true
  WALL="" CPU="" PEAK=""
  return 1
}

# WordCount output as sorted "word<TAB>count" lines, from any system's part files.
wc_sorted() { find "$1" -maxdepth 1 -type f -name 'part-*' -exec cat {} + | LC_ALL=C sort; }

run_wordcount() {
  local job="$1" input="$2" bytes words
  bytes="$(stat -L -c %s "$input")"
  words="$(wc -w <"$input")"
  local reference=""
  for system in hadoop spark quern; do
    local out="$RUN/$job-$system" check
    case "$system" in
      hadoop) hadoop_cmd wordcount "$input" "$out"; measure "$job-$system" "${CMD[@]}" || { ROWS+=("$job|Hadoop MapReduce local|$bytes||||$LOAD|run failed"); continue; } ;;
      spark) spark_cmd wordcount "$input" "$out"; measure "$job-$system" "${CMD[@]}" || { ROWS+=("$job|Spark local[2]|$bytes||||$LOAD|run failed"); continue; } ;;
      quern) [[ $QUERN_WC == 1 ]] || continue
        quern_cmd wordcount "$input" "$out"; measure "$job-$system" "${CMD[@]}" || { ROWS+=("$job|Quern local[2]|$bytes||||$LOAD|run failed"); continue; } ;;
    esac
    wc_sorted "$out" >"$out.sorted"
    local total
    total="$(awk -F'\t' '{ s += $2 } END { printf "%d", s }' "$out.sorted")"
    if [[ "$total" != "$words" ]]; then
      check="WRONG: counts sum to $total, wc -w says $words"
    elif [[ -z "$reference" ]]; then
      reference="$out.sorted"; check="ok ($(wc -l <"$out.sorted") words, sum = wc -w)"
    elif cmp -s "$reference" "$out.sorted"; then
      check="ok (= $(basename "${reference%.sorted}"))"
    else
      check="WRONG: differs from $(basename "${reference%.sorted}")"
    fi
    local label
    case "$system" in hadoop) label="Hadoop MapReduce local" ;; spark) label="Spark local[2]" ;;
      quern) label="Quern local[2]" ;; esac
    ROWS+=("$job|$label|$bytes|$WALL|$CPU|$PEAK|$LOAD|$check")
    rm -rf "$out"
  done
}

run_terasort() {
  local job="terasort" bytes=$((TS_ROWS * 100))
  for system in hadoop spark quern gnusort; do
    local out="$RUN/$job-$system" label ok=1
    case "$system" in
      hadoop) label="Hadoop MapReduce local"
        hadoop_cmd terasort "$TERAGEN" "$out"; measure "$job-$system" "${CMD[@]}" || ok=0 ;;
      spark) label="Spark local[2]"
        spark_cmd terasort "$TERAGEN" "$out"; measure "$job-$system" "${CMD[@]}" || ok=0 ;;
      quern) [[ $QUERN_TS == 1 ]] || continue
        label="Quern local[2]"
        quern_cmd terasort "$TERAGEN" "$out"; measure "$job-$system" "${CMD[@]}" || ok=0 ;;
      gnusort) label="GNU sort --parallel=2"
        measure "$job-$system" env LC_ALL=C sort -S 4G --parallel=2 -T "$RUN" -o "$out" "$LINES" \
          || ok=0 ;;
    esac
    if [[ $ok == 0 ]]; then
      ROWS+=("$job|$label|$bytes||||$LOAD|run failed")
      continue
    fi
    local check
    if [[ $system == gnusort ]]; then
      check="$(java "$PEERS/tools/TeraTool.java" checklines "$LINES" "$out" 2>&1)" || true
    else
      check="$(java "$PEERS/tools/TeraTool.java" check "$TERAGEN" "$out" 2>&1)" || true
    fi
    [[ "$check" == ok:* ]] && check="ok (sorted, same records)" || check="WRONG: $check"
    ROWS+=("$job|$label|$bytes|$WALL|$CPU|$PEAK|$LOAD|$check")
    rm -rf "$out"
  done
}

echo "run $STAMP: logs in $RUN/logs"
LOAD_BEFORE="$(uptime)"
run_wordcount "wordcount-${TINY_KIB}KiB" "$TINY"
run_wordcount "wordcount-${WC_MIB}MiB" "$CORPUS"
run_terasort
LOAD_AFTER="$(uptime)"

# ---- the table --------------------------------------------------------------------------------

hadoop_version="$(basename "$PEERS"/hadoop/target/lib/hadoop-common-*.jar .jar | sed 's/hadoop-common-//')"
examples_version="$(basename "$PEERS"/hadoop/target/lib/hadoop-mapreduce-examples-*.jar .jar | sed 's/hadoop-mapreduce-examples-//')"
spark_version="$(basename "$PEERS"/spark/target/lib/spark-core_*.jar .jar | sed 's/spark-core_[0-9.]*-//')"
quern_version="not run"
if [[ $QUERN_WC == 1 || $QUERN_TS == 1 ]]; then
  quern_version="$(git -C "$QUERN_HOME" log -1 --format='%h %cd' --date=short 2>/dev/null \
    || echo "$QUERN_HOME")"
fi
{
  echo "Quern vs peers, $STAMP, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, -Xmx$HEAP for every JVM"
  echo "java: $(java -version 2>&1 | head -1); Hadoop $hadoop_version (examples jar $examples_version); Spark $spark_version (Scala 2.13); $(sort --version | head -1); Quern: $quern_version"
  echo "load before: $LOAD_BEFORE"
  echo "load after:  $LOAD_AFTER"
  echo
  printf '%-18s %-22s %8s %8s %7s %8s %6s %5s %6s %6s  %s\n' job system "input MB" "wall s" \
    "MB/s" "cpu s" "RSS MB" load1 "x wall" "x cpu" check
  for row in "${ROWS[@]}"; do
    IFS='|' read -r job system bytes wall cpu peak load check <<<"$row"
    quern_wall="" quern_cpu=""
    for other in "${ROWS[@]}"; do
      IFS='|' read -r ojob osystem _ owall ocpu _ _ ocheck <<<"$other"
      if [[ "$ojob" == "$job" && "$osystem" == Quern* && "$ocheck" == ok* ]]; then
        quern_wall="$owall" quern_cpu="$ocpu"
      fi
    done
    awk -v job="$job" -v sys="$system" -v b="$bytes" -v w="$wall" -v cpu="$cpu" -v kb="$peak" \
      -v l="$load" -v qw="$quern_wall" -v qc="$quern_cpu" -v c="$check" 'BEGIN {
        ok = (c ~ /^ok/) && w > 0
        mbps = ok ? sprintf(b / 1e6 / w < 1 ? "%.3f" : "%.1f", b / 1e6 / w) : "-"
        xw = (ok && qw > 0) ? sprintf("%.2f", w / qw) : "n/a"
        xc = (ok && qc > 0) ? sprintf("%.2f", cpu / qc) : "n/a"
        printf "%-18s %-22s %8.2f %8s %7s %8s %6s %5s %6s %6s  %s\n", job, sys, b / 1e6,
          (w == "" ? "-" : sprintf("%.2f", w)), mbps, (cpu == "" ? "-" : sprintf("%.2f", cpu)),
          (kb == "" ? "-" : sprintf("%.0f", kb / 1024)), l, xw, xc, c }'
  done
  echo
  echo "x wall, x cpu = this row's wall (cpu) time / Quern's on the same job: above 1, Quern is faster."
  echo "wall s: the whole process, JVM start included; cpu s: user + system seconds (less sensitive to"
  echo "other load on the machine than wall time); RSS MB: /usr/bin/time -v's maximum resident set;"
  echo "load1: the 1-minute load average when the run started; MB/s: input MB / wall s."
  echo "GNU sort sorts the same records as 100-byte lines (hex key + record bytes 10..88 + newline)."
  [[ -z "$QUERN_NOTE" ]] || echo "$QUERN_NOTE"
} | tee "$RESULTS"
echo "results: $RESULTS"
rm -rf "$RUN/hadoop-tmp" "$RUN/spark-tmp" "$RUN"/*.sorted
