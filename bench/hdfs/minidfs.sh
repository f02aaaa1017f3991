#!/usr/bin/env bash
# Starts a throwaway HDFS (Hadoop's MiniDFSCluster: a NameNode and DataNodes in one JVM) and
# prints its URI, to try Quern on hdfs:// paths by hand:
#
#   bench/hdfs/minidfs.sh [DATANODES [PORT [FILE...]]]   (FILEs are copied into /in/; data under
#                                                     bench/hdfs/data/; Ctrl-C stops it)
#   bin/quern examples wordcount hdfs://127.0.0.1:PORT/in hdfs://127.0.0.1:PORT/out
#
# Needs the Hadoop test jars in ~/.m2: mvn -B -ntp -pl fs-hadoop -am test-compile fetches them
# (and commons-logging 1.3.5, which the build resolves too).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
V=3.5.0
CP=""
for jar in "org/apache/hadoop/hadoop-client-minicluster/$V/hadoop-client-minicluster-$V.jar" \
    "org/apache/hadoop/hadoop-client-api/$V/hadoop-client-api-$V.jar" \
    "org/apache/hadoop/hadoop-client-runtime/$V/hadoop-client-runtime-$V.jar" \
    "org/xerial/snappy/snappy-java/1.1.10.8/snappy-java-1.1.10.8.jar" \
    "org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar" \
    "commons-logging/commons-logging/1.3.5/commons-logging-1.3.5.jar"; do
  if [[ ! -f "$M2/$jar" ]]; then
    echo "minidfs.sh: $M2/$jar is missing: run mvn -B -ntp -pl fs-hadoop -am test-compile" >&2
    exit 1
  fi
  CP="$CP${CP:+:}$M2/$jar"
done
DATA="$ROOT/bench/hdfs/data"
rm -rf "$DATA"
mkdir -p "$DATA"
exec java -Xmx512m -cp "$CP" "$ROOT/bench/hdfs/MiniDfs.java" "$DATA" "${1:-1}" "${2:-0}" "${@:3}"
