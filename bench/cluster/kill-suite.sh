#!/usr/bin/env bash
# Runs the process-kill suite (cli/src/test/java/dev/quern/cli/cluster/*Test) again and again,
# each round with a fresh seed, and stops at the first failure, printing its seed and the
# command that replays it. Process logs of a failed case stay under
# cli/target/test-processes/<class>/.
# ClusterPartitionTest (case 13: a master cut off in its own network namespace) needs root, as
# on the build machines and in CI; without it, it fails rather than skips.
#
#   bench/cluster/kill-suite.sh [--rounds N] [--test PATTERN]   (default: 5 rounds, every class)
#
# The first round compiles what the cli module needs (offline); later rounds only run the tests.
# Each class runs in a JVM of its own (cli/pom.xml: reuseForks false), so surefire's fork bound
# (1200 s) applies per class; a passed round lists each class's time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=5
TEST='dev.quern.cli.cluster.*Test'
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --test) TEST="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "kill-suite.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "kill-suite.sh: --rounds needs a positive number, got '$ROUNDS'" >&2
  exit 2
fi

cd "$ROOT"
LOGS="$ROOT/cli/target/kill-suite"
mkdir -p "$LOGS"
for ((round = 1; round <= ROUNDS; round++)); do
  # A seed that fits in a long, from the kernel's random source.
  SEED="$(od -An -N8 -td8 /dev/urandom | tr -d ' ')"
  LOG="$LOGS/round-$round.log"
  echo "round $round/$ROUNDS: seed $SEED"
  start=$(date +%s)
  if ! mvn -B -ntp -o -pl cli -am verify -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
      -DskipITs -Dfailsafe.skip=true -Dquern.test.seed="$SEED" >"$LOG" 2>&1; then
    echo "round $round FAILED with seed $SEED ($(($(date +%s) - start)) s); maven log: $LOG"
    grep -E "Tests run:.*Fail|FAIL|process logs kept in" "$LOG" | head -20 || true
    echo "replay: mvn -B -ntp -o -pl cli -am verify -Dtest='$TEST'" \
      "-Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dfailsafe.skip=true" \
      "-Dquern.test.seed=$SEED"
    exit 1
  fi
  echo "round $round passed ($(($(date +%s) - start)) s; load $(cut -d' ' -f1-3 /proc/loadavg))"
  # Each class's time: each runs in a fork of its own, bounded by forkedProcessTimeoutInSeconds
  # (test.fork.timeout, 1200 s), so this shows how near a loaded round came to that bound.
  grep -E "Tests run:.*in dev\.quern\.cli\.cluster\." "$LOG" | sed -E 's/.*Time elapsed: ([0-9.]+ s).* in dev\.quern\.cli\.cluster\.(.*)/  \2 \1/' || true
done
echo "all $ROUNDS round(s) passed"
