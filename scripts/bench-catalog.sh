#!/usr/bin/env bash
# bench-catalog.sh: catalog connection acquisition under a load spike and during a failover
# (called by `./se bench catalog`, or run directly).
#
# Runs io.storageengine.catalog.bench.CatalogConnectionBench (catalog test classes): a private
# PostgreSQL primary + streaming replica (test-support), 10,000 virtual threads issuing catalog reads
# at once (request -> connection p50/p95/p99/max as the caller sees it: lag-tolerant consolidated
# (identical reads waiting together share one query), lag-tolerant distinct queries (nothing to share),
# lag-tolerant plain, primary-only; queries run, requests joined, wall time and reads/s; then the same
# reads from BENCH_CALLERS), then a failover under
# load (primary stopped -m immediate, replica promoted): failed reads, write outage, promotion ->
# first write. Goals: acquisition p99 < 5 ms; no read fails while a replica is healthy; writes
# resume within 10 s of the promotion.
# Knobs (env): BENCH_REQUESTS (10000), BENCH_POOL_SIZE (16 per server), BENCH_READERS (64), BENCH_CALLERS (8),
#   BENCH_XMX (1g), BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SE_ROOT=$ROOT
# shellcheck source=/dev/null
source "$ROOT/scripts/lib/common.sh" # se_mvn
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
XMX=${BENCH_XMX:-1g}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cd "$ROOT"
CP_FILE=catalog/target/test-classpath.txt
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$CP_FILE" ]]; then
  # compiled in the reactor (schemas, test-support resolve to their target/classes): nothing is
  # installed into ~/.m2, which other checkouts share
  log "building catalog (mvn -q -pl catalog -am test-compile dependency:build-classpath) ..."
  se_mvn -q -pl catalog -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt >&2
fi
CP="catalog/target/test-classes:catalog/target/classes:$(cat "$CP_FILE")"

log "catalog connection bench: ${BENCH_REQUESTS:-10000} requests, pool ${BENCH_POOL_SIZE:-16}, heap $XMX, $(nproc) cores"
exec "$JAVA" -Xmx"$XMX" --enable-native-access=ALL-UNNAMED -Dlog4j2.level=WARN \
  -cp "$CP" io.storageengine.catalog.bench.CatalogConnectionBench
