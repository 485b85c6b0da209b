#!/usr/bin/env bash
# bench-compaction.sh: compaction throughput (called by `./se bench compaction`, or run directly).
#
# Runs io.storageengine.compactor.bench.CompactionBench (compactor-worker test classes): publishes a
# walgen stream of BENCH_BYTES (default 2g; 30% 8 KiB images, the rest small deltas) to a fresh topic
# with a transactional producer, then starts one compactor worker with the production defaults
# (64 MiB L0 segments, 128 MiB L1, L0 trigger 4) and reports, as a Markdown table:
#   - L0 build: WAL MB/s from worker start until the catalog's committed offsets reach the end of
#     every partition (consume, decode, sort, write, fsync, register);
#   - L0 -> L1 merges: input MB/s over the merge jobs' own durations (catalog job history);
#   - end to end: WAL MB/s until compaction is quiet;
# and, per phase, the CPU seconds of the worker's own threads and MB per CPU second (ThreadMXBean),
# which stay meaningful when other processes load the machine (wall-clock MB/s do not).
# Goal: >= 100 MB/s here (the seed asks 10 GB in under 5 minutes, ~35 MB/s end to end).
#
# Kafka: the in-JVM test broker, or the one at SE_TEST_KAFKA_BOOTSTRAP (e.g. `./se up`'s).
# PostgreSQL: a private LocalPostgres, or SE_TEST_PG_URL/USER/PASSWORD.
# Knobs (env): BENCH_BYTES (2g), BENCH_PARTITIONS (8), BENCH_XMX (2g), BENCH_SKIP_BUILD=1,
#   BENCH_COMPRESSION (none; the producer's compression.type: lz4 is what `ingest.compression`
#   publishes by default, and a consumer of compressed batches allocates a buffer per record),
#   BENCH_JFR=<file.jfr> (records a Java Flight Recording with the 'profile' settings; inspect with
#   `jfr print --events jdk.ExecutionSample <file>` or `jfr summary`).
# Extra compactor settings pass through the environment (e.g. SE_COMPACTOR_L0_SEGMENT_BYTES).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SE_ROOT=$ROOT
# shellcheck source=/dev/null
source "$ROOT/scripts/lib/common.sh" # se_mvn
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
BYTES=${BENCH_BYTES:-2g}
PARTITIONS=${BENCH_PARTITIONS:-8}
COMPRESSION=${BENCH_COMPRESSION:-none}
XMX=${BENCH_XMX:-2g}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cd "$ROOT"
CP_FILE=compactor-worker/target/test-classpath.txt
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$CP_FILE" ]]; then
  log "building compactor-worker (mvn -q -pl compactor-worker -am install -DskipTests) ..."
  se_mvn -q -pl compactor-worker -am install -DskipTests >&2
  se_mvn -q -pl compactor-worker dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt >&2
fi
CP="compactor-worker/target/test-classes:compactor-worker/target/classes:$(cat "$CP_FILE")"

log "compaction bench: $BYTES of WAL, $PARTITIONS partitions, heap $XMX, $(nproc) cores"
log "command: $JAVA -Xmx$XMX -cp ... io.storageengine.compactor.bench.CompactionBench --bytes $BYTES --partitions $PARTITIONS --compression $COMPRESSION"
JFR_OPTS=()
if [[ -n "${BENCH_JFR:-}" ]]; then
  JFR_OPTS=("-XX:StartFlightRecording=filename=$BENCH_JFR,settings=profile,dumponexit=true")
  log "recording JFR to $BENCH_JFR"
fi
exec "$JAVA" -Xmx"$XMX" "${JFR_OPTS[@]}" --enable-native-access=ALL-UNNAMED -Dlog4j2.level=WARN \
  -cp "$CP" io.storageengine.compactor.bench.CompactionBench --bytes "$BYTES" --partitions "$PARTITIONS" --compression "$COMPRESSION"
