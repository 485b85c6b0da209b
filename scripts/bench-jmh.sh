#!/usr/bin/env bash
# bench-jmh.sh (./se bench jmh MODULE BENCH [JMH ARGS...]): runs one JMH benchmark class of a
# module's test code (e.g. page-service ReconstructBench, postgres-redo RedoChainBench,
# postgres-wal SegmentDecodeBench) with the module's test class path from the reactor (no install).
# Example: ./se bench jmh page-service ReconstructBench -f 1 -wi 3 -i 5 -w 2s -r 3s -p chain=8 -p engine=BOUNDED
set -euo pipefail
SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
(($# >= 2)) || die "usage: ./se bench jmh MODULE BENCH [JMH ARGS...]"
M=$1 B=$2; shift 2
[[ -f "$SE_ROOT/$M/pom.xml" ]] || die "no module $M"
setup_java
cd "$SE_ROOT"
se_mvn -q -B -pl "$M" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/jmh-cp.txt >/dev/null || die "could not build $M's test classes"
CP="$M/target/test-classes:$M/target/classes:$(cat "$M/target/jmh-cp.txt")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$JAVA" --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main "$B" "$@"
