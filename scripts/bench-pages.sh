#!/usr/bin/env bash
# bench-pages.sh (./se bench pages): HTTP read throughput of the running page service.
#
# Needs Kafka with the demo timeline from `./se up` (pages 1663/5/16384..16387/0..255). Starts its
# own page-service JVM (application id page-service-bench, ports SE_BENCH_HTTP_PORT 18080 /
# SE_BENCH_ADMIN_PORT 19090, gRPC SE_BENCH_GRPC_PORT 18090, tenant rate limit raised so the limiter does not cap the run; the cold
# tier is on as in production, so pages already trimmed from the hot store are read from segments;
# SE_BENCH_COLD=false runs a fresh hot-store-only instance instead, deleting its topics after) and
# stops it at the end; SE_BENCH_TARGET=running measures the ./se up instance on SE_HTTP_PORT
# instead (its 1,000 req/s tenant limit then answers 429s). Installs wrk with apt-get if missing.
# Runs, each for SE_BENCH_SECONDS (default 10) after a short warm-up, with `wrk -t1 -c32`:
#   noop     GET /v1/noop: the same server, 8192 constant bytes, no parsing/policies/store
#   page     GET one page (fixed URL, octet-stream)
#   pages    GET a different page per request (1024 demo pages, Lua)
#   batch32  POST .../pages/batch with 32 pages per request (Lua), pages/s = req/s x 32 (pages that
#            were not 200 inside a batch are listed at the end: se_batch_pages_total by status)
#   batch64  same with 64 pages
# and prints req/s, p50/p95/p99 (wrk's latency histogram via a Lua done() hook), the page/noop
# ratio, and the page service's peak RSS and anonymous RSS (RssAnon, what its memory budget bounds)
# during each run (from /proc). Options (env):
#   SE_BENCH_SECONDS (10), SE_BENCH_CONNECTIONS (32), SE_BENCH_THREADS (1), SE_BENCH_LSN (newest applied),
#   SE_BENCH_LOADTEST (unset; a time scale such as 0.25: then also ./se loadtest's scenarios, HTTP and
#   stream, against this instance, e.g. with SE_BENCH_COLD=false for hot pages), with
#   SE_BENCH_LOADTEST_ARGS added to its options (e.g. "--transports stream --pages-per-request 16"),
#   SE_BENCH_JFR (unset; a file: a Java Flight Recording of the benchmark's own page service, 'profile'
#   settings, written when it stops; `jfr view hot-methods FILE`).
set -euo pipefail

SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}
SECS=${SE_BENCH_SECONDS:-10}
CONNS=${SE_BENCH_CONNECTIONS:-32}
THREADS=${SE_BENCH_THREADS:-1}
TL="/v1/tenants/$TENANT/timelines/$TIMELINE"
WORK=$(mktemp -d)
SAMPLER=
cleanup() { rm -rf "$WORK"; [[ -z "$SAMPLER" ]] || kill "$SAMPLER" 2>/dev/null || true; }
trap cleanup EXIT

command -v wrk >/dev/null || { info "installing wrk"; apt-get install -y wrk >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || die "could not install wrk"; }

setup_java
ensure_dirs
if [[ "${SE_BENCH_TARGET:-own}" == running ]]; then
  PORT=${SE_HTTP_PORT:-8080}
  PID=$(pid_of page-service) || die "no page-service started by ./se up"
else
  PORT=${SE_BENCH_HTTP_PORT:-18080}
  BASE="http://127.0.0.1:$PORT"
  is_up kafka || die "Kafka is not running: ./se up first (the benchmark reads the demo timeline)"
  [[ -f "$SE_ROOT/page-service/target/classes/io/storageengine/pageservice/Main.class" ]] || die "page-service not built: ./se build"
  stop_pid page-bench >/dev/null
  APP_ID=page-service-bench STATE="$SE_LOCAL/page-bench-state"
  if [[ "${SE_BENCH_COLD:-true}" == false ]]; then
    # hot store only: a fresh application (untrimmed hot store), its internal topics deleted at exit
    APP_ID=page-service-bench-hot-$(date +%s) STATE="$SE_LOCAL/page-bench-hot-state"
    rm -rf "$STATE"
  fi
  mkdir -p "$STATE"
  SE_HTTP_PORT=$PORT SE_ADMIN_PORT=${SE_BENCH_ADMIN_PORT:-19090} SE_GRPC_PORT=${SE_BENCH_GRPC_PORT:-18090} SE_KAFKA_APPLICATION_ID=$APP_ID \
    SE_STATE_DIR="$STATE" SE_RATE_LIMIT=100000000 SE_COLD_ENABLED=${SE_BENCH_COLD:-true} \
    SE_KAFKA_BOOTSTRAP=${SE_KAFKA_BOOTSTRAP:-127.0.0.1:${SE_KAFKA_PORT:-9092}} \
    start_java page-bench io.storageengine.pageservice.Main "$(module_cp page-service)" \
      -Xmx1g --enable-native-access=ALL-UNNAMED \
      ${SE_BENCH_JFR:+-XX:StartFlightRecording=filename=$SE_BENCH_JFR,settings=profile,dumponexit=true} --
  PID=$(pid_of page-bench) || { show_log_tail page-bench; die "page-bench did not start"; }
  drop_app() { # the hot-only run's internal topics and state
    [[ "$APP_ID" == page-service-bench-hot-* ]] || return 0
    cat >"$SE_LOCAL/DeleteTopics.java" <<'JAVA'
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
public class DeleteTopics {
    public static void main(String[] a) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", a[0]))) {
            var names = admin.listTopics().names().get().stream().filter(n -> n.startsWith(a[1])).toList();
            if (!names.isEmpty()) admin.deleteTopics(names).all().get();
            System.out.println("deleted " + names.size() + " internal topics " + a[1] + "*");
        }
    }
}
JAVA
    "$JAVA" -cp "$(module_cp page-service)" "$SE_LOCAL/DeleteTopics.java" \
      "${SE_KAFKA_BOOTSTRAP:-127.0.0.1:${SE_KAFKA_PORT:-9092}}" "$APP_ID-" 2>/dev/null || warn "could not delete $APP_ID topics"
    rm -rf "$STATE" "$SE_LOCAL/DeleteTopics.java"
  }
  trap 'cleanup; stop_pid page-bench >/dev/null || true; drop_app' EXIT
  info "started page-bench (pid $PID) on $PORT; waiting for readiness (log: $SE_LOGS/page-bench.log)"
fi
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 240); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)
  [[ "$code" == 200 ]] && break
  kill -0 "$PID" 2>/dev/null || { show_log_tail page-bench; die "page service exited"; }
  sleep 0.5
done
[[ "$code" == 200 ]] || die "page service not ready at $BASE/health after 120 s (HTTP $code)"

applied() { applied_lsn "$BASE$TL"; }
prev=
for _ in $(seq 1 120); do # until the demo timeline's applied LSN is non-zero and stable for 1 s
  LSN=$(applied)
  [[ -n "$LSN" && "$LSN" != 0/0 && "$LSN" == "$prev" ]] && break
  prev=$LSN
  sleep 1
done
LSN=${SE_BENCH_LSN:-$LSN}
[[ -n "$LSN" && "$LSN" != 0/0 ]] || die "the demo timeline has nothing applied (loaded by ./se up?)"
PAGE="$TL/pages/1663/5/16384/0?lsn=$LSN"
for _ in $(seq 1 90); do # the cold tier may still be connecting to the catalog
  code=$(curl -s -o "$WORK/page.bin" -w '%{http_code}' "$BASE$PAGE")
  [[ "$code" == 200 ]] && break
  sleep 1
done
[[ "$code" == 200 && $(stat -c %s "$WORK/page.bin") == 8192 ]] || die "demo page $PAGE answered HTTP $code"

# Lua: percentiles in microseconds in done(); request generators for pages and batches.
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
LUA
cat >"$WORK/pages.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local rel = 16384 + (n % 4)
  local block = math.floor(n / 4) % 256
  return wrk.format("GET", "$TL/pages/1663/5/" .. rel .. "/" .. block .. "?lsn=$LSN")
end
$(cat "$WORK/report.lua")
LUA
batch_lua() { # pages
  local body; body=$(python3 -c "
import json,sys
n=int(sys.argv[1]); print(json.dumps({'lsn':sys.argv[2],'pages':[{'rel':16384+(i%4),'db':5,'block':(i*7)%256} for i in range(n)]}))" "$1" "$LSN")
  cat >"$WORK/batch$1.lua" <<LUA
wrk.method = "POST"
wrk.path = "$TL/pages/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
$(cat "$WORK/report.lua")
LUA
  # every page of the batch must answer 200: count*(22+8192)+4 bytes
  local want=$((4 + $1 * (22 + 8192)))
  for _ in $(seq 1 60); do
    curl -fsS -o "$WORK/batch$1.bin" -X POST -H 'Content-Type: application/json' --data "$body" "$BASE$TL/pages/batch"
    [[ $(stat -c %s "$WORK/batch$1.bin") == "$want" ]] && break
    sleep 1
  done
  [[ $(stat -c %s "$WORK/batch$1.bin") == "$want" ]] \
    || die "batch of $1 did not return $1 pages with status 200 ($(stat -c %s "$WORK/batch$1.bin") bytes, want $want)"
}
batch_lua 32
batch_lua 64

rss_kib() { awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {print r, a}' "/proc/$PID/status"; }
start_sampler() { : >"$WORK/rss"; ( while :; do rss_kib >>"$WORK/rss"; sleep 0.5; done ) & SAMPLER=$!; }
stop_sampler() { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=; }

declare -A RPS P50 P95 P99 RSS ANON ERR
run() { # name secs wrk-args...
  local name=$1 secs=$2; shift 2
  start_sampler
  wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency "$@" >"$WORK/$name.out" 2>&1 || true
  stop_sampler
  local rss anon; rss=$(awk '$1 > m {m = $1} END {print m + 0}' "$WORK/rss"); anon=$(awk '$2 > m {m = $2} END {print m + 0}' "$WORK/rss")
  RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$name.out")
  read -r _ P50[$name] P95[$name] P99[$name] ERR[$name] < <(grep '^PCT' "$WORK/$name.out")
  RSS[$name]=$rss; ANON[$name]=$anon
}

info "page service pid $PID, lsn $LSN, wrk -t$THREADS -c$CONNS -d${SECS}s --latency"
info "warm-up (5 s each: noop, page, batch32)"
run warm 5 -s "$WORK/report.lua" "$BASE/v1/noop"
run warm 5 -s "$WORK/report.lua" "$BASE$PAGE"
run warm 5 -s "$WORK/batch32.lua" "$BASE$TL/pages/batch"
run noop "$SECS" -s "$WORK/report.lua" "$BASE/v1/noop"
run page "$SECS" -s "$WORK/report.lua" "$BASE$PAGE"
run pages "$SECS" -s "$WORK/pages.lua" "$BASE"
run batch32 "$SECS" -s "$WORK/batch32.lua" "$BASE$TL/pages/batch"
run batch64 "$SECS" -s "$WORK/batch64.lua" "$BASE$TL/pages/batch"

printf '\n%-8s %10s %10s %9s %9s %9s %8s %9s %9s\n' run req/s pages/s p50_us p95_us p99_us errors rss_MiB anon_MiB
for name in noop page pages batch32 batch64; do
  per=1; [[ $name == batch32 ]] && per=32; [[ $name == batch64 ]] && per=64
  [[ $name == noop ]] && per=0
  pages=$(awk -v r="${RPS[$name]}" -v p="$per" 'BEGIN {printf "%.0f", r * p}')
  printf '%-8s %10s %10s %9s %9s %9s %8s %9s %9s\n' "$name" "${RPS[$name]}" "$pages" "${P50[$name]}" "${P95[$name]}" \
    "${P99[$name]}" "${ERR[$name]}" "$(awk -v k="${RSS[$name]}" 'BEGIN {printf "%.0f", k / 1024}')" \
    "$(awk -v k="${ANON[$name]}" 'BEGIN {printf "%.0f", k / 1024}')"
done
awk -v p="${RPS[page]}" -v n="${RPS[noop]}" 'BEGIN {printf "\npage/noop req/s ratio: %.2f (noop = GET /v1/noop, 8192 constant bytes, same server)\n", p / n}'
ADMIN=${SE_BENCH_ADMIN_PORT:-19090}; [[ "${SE_BENCH_TARGET:-own}" == running ]] && ADMIN=${SE_ADMIN_PORT:-9090}
info "answers by route and status (whole session, from /metrics):"
metrics=$(curl -fsS "http://127.0.0.1:$ADMIN/metrics")
sed -n 's/^se_http_requests_seconds_count{route="\([^"]*\)",status="\([^"]*\)"} \(.*\)/  \1 \2 \3/p' <<<"$metrics"
sed -n 's/^se_batch_pages_total{status="\([^"]*\)"} \(.*\)/  batch page status \1 \2/p' <<<"$metrics"
sed -n 's/^se_http_problems_total{route="\([^"]*\)",type="\([^"]*\)"} \(.*\)/  \1 problem \2 \3/p' <<<"$metrics"
sed -n 's/^se_page_cache_\(hits\|misses\|fills\)_total \(.*\)/  newest-page cache \1 \2/p' <<<"$metrics"
awk '/^se_process_memory_budget_bytes/ {printf "  memory budget (memory.budget-mb; peak anon_MiB above is held against it): %.0f MiB\n", $2 / 1048576}' <<<"$metrics"
if [[ -n "${SE_BENCH_LOADTEST:-}" && "${SE_BENCH_TARGET:-own}" != running ]]; then
  # the load scenarios of ./se loadtest against this instance, each SE_BENCH_LOADTEST as long
  info "load scenarios (LoadTest, time scale $SE_BENCH_LOADTEST) against this instance:"
  "$JAVA" -Xmx512m -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" \
    -cp "$(module_cp loadtest)" io.storageengine.loadtest.LoadTest --http "$BASE" \
    --grpc "127.0.0.1:${SE_BENCH_GRPC_PORT:-18090}" --admin "http://127.0.0.1:$ADMIN" \
    --time-scale "$SE_BENCH_LOADTEST" ${SE_BENCH_LOADTEST_ARGS:-} 2>/dev/null
fi
