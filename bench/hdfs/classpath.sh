# Sourced by the scripts here: sets HADOOP_CP to Hadoop's shaded client and minicluster jars
# from ~/.m2 (mvn -B -ntp -pl fs-hadoop -am test-compile fetches them), or exits naming the
# missing jar.
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
HADOOP_V=3.5.0
HADOOP_CP=""
for jar in "org/apache/hadoop/hadoop-client-minicluster/$HADOOP_V/hadoop-client-minicluster-$HADOOP_V.jar" \
    "org/apache/hadoop/hadoop-client-api/$HADOOP_V/hadoop-client-api-$HADOOP_V.jar" \
    "org/apache/hadoop/hadoop-client-runtime/$HADOOP_V/hadoop-client-runtime-$HADOOP_V.jar" \
    "org/xerial/snappy/snappy-java/1.1.10.8/snappy-java-1.1.10.8.jar" \
    "org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar" \
    "commons-logging/commons-logging/1.3.5/commons-logging-1.3.5.jar"; do
  if [[ ! -f "$M2/$jar" ]]; then
    echo "$(basename "$0"): $M2/$jar is missing: run mvn -B -ntp -pl fs-hadoop -am test-compile" >&2
    exit 1
  fi
  HADOOP_CP="$HADOOP_CP${HADOOP_CP:+:}$M2/$jar"
done
