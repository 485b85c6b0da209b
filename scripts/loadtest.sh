#!/usr/bin/env bash
# loadtest.sh (./se loadtest [LoadTest options]): the product's load scenarios against the running
# ./se up stack, over HTTP (port SE_HTTP_PORT, 8080) and the streaming API (SE_GRPC_PORT, 8090):
# sustained (60 s at 80% of saturation, 100 in flight), spike (30 s at saturation, 1,000 in flight),
# mixed (60 s at 80%, random pages at random LSNs in a 16 MiB window, 10% at its oldest LSN).
# Open-loop with coordinated-omission correction (latency from each request's intended send time)
# after a closed-loop saturation probe per transport. Prints a Markdown table: offered and achieved
# pages/s, p50/p95/p99/p99.9/max, error rate, and the page service's own request count from
# /metrics (SE_ADMIN_PORT, 9090). Also prints the exact command and the load average.
# First restarts the page service with the per-tenant rate limit raised (LOADTEST_RATE_LIMIT, 1e8;
# LOADTEST_RESTART_PAGE=0 keeps the running one). The demo timeline's pages are mostly trimmed
# from the hot store by then (cold reads); for hot pages run the same scenarios against a fresh
# hot-only instance: SE_BENCH_COLD=false SE_BENCH_LOADTEST=1 ./se bench pages.
# Examples: ./se loadtest;  ./se loadtest --time-scale 0.1 --transports stream --scenarios spike
# With ./se up --auth, pass --token "$(./se token)".
set -euo pipefail
SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export SE_ROOT
# shellcheck source=/dev/null
for lib in common build; do source "$SE_ROOT/scripts/lib/$lib.sh"; done
setup_java
ensure_dirs
ensure_built
HTTP=${SE_HTTP_PORT:-8080} GRPC=${SE_GRPC_PORT:-8090} ADMIN=${SE_ADMIN_PORT:-9090}
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN/health" 2>/dev/null \
  || die "no page service answers on 127.0.0.1:$ADMIN (start the stack: ./se up)"
# the per-tenant rate limit (1,000 req/s by default) would be what is measured: restart the page
# service with it raised, as bench read-during-compaction does (LOADTEST_RESTART_PAGE=0 keeps it)
if [[ "${LOADTEST_RESTART_PAGE:-1}" == 1 ]]; then
  echo "restarting page-service with SE_RATE_LIMIT=${LOADTEST_RATE_LIMIT:-100000000}" >&2
  stop_pid page-service >/dev/null || true
  SE_RATE_LIMIT=${LOADTEST_RATE_LIMIT:-100000000} SE_COMPUTE=$(is_up compute && echo 1 || echo 0) "$SE_ROOT/se" up >&2
fi
args=(--http "http://127.0.0.1:$HTTP" --grpc "127.0.0.1:$GRPC" --admin "http://127.0.0.1:$ADMIN" "$@")
echo "command: ./se loadtest $*"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores, the stack included)"
"$JAVA" -Xmx512m -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp loadtest)" \
  io.storageengine.loadtest.LoadTest "${args[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
