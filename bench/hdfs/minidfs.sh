#!/usr/bin/env bash
# Starts a throwaway HDFS (Hadoop's MiniDFSCluster: a NameNode and DataNodes in one JVM) and
# prints its URI, to try Quern on hdfs:// paths by hand:
#
#   bench/hdfs/minidfs.sh [DATANODES [PORT [FILE...]]]   (FILEs are copied into /in/; data under
#                                                     bench/hdfs/data/ or $MINIDFS_DATA;
#                                                     Ctrl-C or the end of stdin stops it)
#   bin/quern examples wordcount hdfs://127.0.0.1:PORT/in hdfs://127.0.0.1:PORT/out
#
# Needs the Hadoop test jars in ~/.m2: mvn -B -ntp -pl fs-hadoop -am test-compile fetches them
# (and commons-logging 1.3.5, which the build resolves too).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/hdfs/classpath.sh"
CP="$HADOOP_CP"
DATA="${MINIDFS_DATA:-$ROOT/bench/hdfs/data}"
rm -rf "$DATA"
mkdir -p "$DATA"
exec java -Xmx512m -cp "$CP" "$ROOT/bench/hdfs/MiniDfs.java" "$DATA" "${1:-1}" "${2:-0}" "${@:3}"
