#!/usr/bin/env bash
# bench-read-during-compaction.sh: page-read latency with the compactor idle vs compacting, and
# page-service RSS per GB of data managed. Runs against the `./se up` stack (needs it up first).
#
#  1. restarts the ./se up page service with SE_RATE_LIMIT raised (RDC_RATE_LIMIT, default 1e8) so the
#     1,000 req/s tenant limiter does not answer 429s (RDC_RESTART_PAGE=0 skips this);
#  2. pauses the compactor (kill -STOP on the pid in .local/run/compactor.pid; always resumed on exit),
#     publishes RDC_BYTES (1G) of walgen WAL (seed RDC_SEED, 4242) to the demo timeline starting above
#     the newest applied LSN, and waits until the page service has applied it (so there is an L0 backlog
#     and the page service is not replaying during the measurement);
#  3. runs RDC_ROUNDS (2) interleaved pairs: off (compactor stopped) then on (compactor resumed, building
#     L0 and merging L1), each `wrk -t1 -c16 -d${RDC_SECONDS:-15}s --latency` of GETs of random demo pages
#     1663/5/(16384+r)/block (r < 4, block < 256) at the pinned LSN; per phase: req/s, p50/p95/p99,
#     non-2xx/errors, the compactor's and page service's CPU seconds (utime+stime from /proc; the
#     compactor's is the evidence it worked), and after the phase the page service's hot-store
#     entries / trimmed versions / cold segments (/metrics): once segments are registered the hot
#     store is trimmed and reads go to the cold tier, which dominates later phases (see caveats in
#     the output of a run: compare phases with similar hot-store state);
#  4. prints the p95 ratio on/off (median of rounds), the page service's VmHWM/VmRSS and the data
#     managed: sum of segment bytes in the catalog (PostgreSQL `segments` table) + the wal topic's log
#     bytes on disk (.local/kafka), and RSS per GB.
# Only 127.0.0.1 targets. Every loop is bounded.
set -euo pipefail

SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}
SECS=${RDC_SECONDS:-15}
ROUNDS=${RDC_ROUNDS:-2}
BYTES=${RDC_BYTES:-1G}
SEED=${RDC_SEED:-4242}
PORT=${SE_HTTP_PORT:-8080}
BASE="http://127.0.0.1:$PORT"
TL="/v1/tenants/$TENANT/timelines/$TIMELINE"
WORK=$(mktemp -d)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$SE_ROOT"
setup_java
ensure_dirs
ts() { date -u +%H:%M:%S; }
log() { printf '%s %s\n' "$(ts)" "$*" >&2; }

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || die "could not install wrk"; }

CPID=$(pid_of compactor) || die "no compactor started by ./se up"
resume() { kill -CONT "$CPID" 2>/dev/null || true; }
trap 'resume; rm -rf "$WORK"' EXIT

if [[ "${RDC_RESTART_PAGE:-1}" == 1 ]]; then
  log "restarting page-service with SE_RATE_LIMIT=${RDC_RATE_LIMIT:-100000000}"
  stop_pid page-service >/dev/null || true
  SE_RATE_LIMIT=${RDC_RATE_LIMIT:-100000000} "$SE_ROOT/se" up >&2
fi
PID=$(pid_of page-service) || die "no page-service started by ./se up"

applied() { curl -fsS -m 5 "$BASE$TL" 2>/dev/null | sed -n 's/.*"last_applied_lsn":"\([^"]*\)".*/\1/p'; }
wait_stable() { # until /health is 200 and the applied LSN is unchanged for 3 s (bounded: 900 s)
  local prev= same=0 lsn code
  for _ in $(seq 1 900); do
    code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/health" || true)
    lsn=$(applied || true)
    if [[ "$code" == 200 && -n "$lsn" && "$lsn" == "$prev" ]]; then same=$((same + 1)); else same=0; fi
    ((same >= 3)) && { echo "$lsn"; return 0; }
    prev=$lsn
    sleep 1
  done
  return 1
}
LSN0=$(wait_stable) || die "page service not ready/stable"
log "page-service pid $PID ready, applied LSN $LSN0; compactor pid $CPID"

lsn_to_int() { local hi=${1%/*} lo=${1#*/}; echo $(( (16#$hi << 32) + 16#$lo )); }
S=$(( $(lsn_to_int "$LSN0") + 1048576 )); START=$(printf '%X/%X' $((S >> 32)) $((S & 0xFFFFFFFF)))

log "pausing compactor (kill -STOP $CPID); publishing $BYTES of WAL (seed $SEED, start LSN $START)"
kill -STOP "$CPID"
t0=$SECONDS
"$SE_ROOT/se" walgen --bytes "$BYTES" --seed "$SEED" --start-lsn "$START" --out - 2>"$WORK/walgen.err" \
  | "$SE_ROOT/se" ingest --tenant "$TENANT" --timeline "$TIMELINE" - >"$WORK/ingest.out" 2>&1 \
  || { cat "$WORK/walgen.err" "$WORK/ingest.out" >&2; die "walgen | ingest failed"; }
log "published in $((SECONDS - t0)) s: $(grep -m1 'stream=' "$WORK/ingest.out" || tail -1 "$WORK/ingest.out")"
LSN=$(wait_stable) || die "page service did not catch up"
log "page service caught up at LSN $LSN after $((SECONDS - t0)) s"

cat >"$WORK/pages.lua" <<LUA
math.randomseed(${SEED})
request = function()
  local rel = 16384 + math.random(0, 3)
  local block = math.random(0, 255)
  return wrk.format("GET", "$TL/pages/1663/5/" .. rel .. "/" .. block .. "?lsn=$LSN")
end
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
LUA
code=$(curl -s -m 5 -o "$WORK/p.bin" -w '%{http_code}' "$BASE$TL/pages/1663/5/16384/0?lsn=$LSN")
[[ "$code" == 200 ]] || die "sample page answered HTTP $code"

cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$CPID}/stat"; }
HZ=$(getconf CLK_TCK)
declare -a ROWS
phase() { # name
  local name=$1 c0 c1 p0 p1
  c0=$(cpu_ticks); p0=$(cpu_ticks "$PID")
  wrk -t1 -c16 -d"${SECS}s" --latency -s "$WORK/pages.lua" "$BASE" >"$WORK/$name.out" 2>&1 || true
  c1=$(cpu_ticks); p1=$(cpu_ticks "$PID")
  local rps p50 p95 p99 err
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$name.out")
  read -r _ p50 p95 p99 err < <(grep '^PCT' "$WORK/$name.out")
  local cpu; cpu=$(awk -v d=$((c1 - c0)) -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz}')
  local hot; hot=$(curl -s -m 2 "http://127.0.0.1:${SE_ADMIN_PORT:-9090}/metrics" \
    | awk '/^se_hot_store_entries / {h = $2} /^se_hot_trimmed_versions_total / {t = $2} /^se_cold_segments / {c = $2}
           END {printf "%d/%d/%d", h, t, c}')
  local pcpu; pcpu=$(awk -v d=$((p1 - p0)) -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz}')
  ROWS+=("$name $rps $p50 $p95 $p99 $err $cpu $pcpu $hot")
  log "$(printf '%-5s req/s %s p50 %s us p95 %s us p99 %s us errors %s compactor_cpu_s %s page_cpu_s %s hot_entries/trimmed/cold_segments %s' "$name" "$rps" "$p50" "$p95" "$p99" "$err" "$cpu" "$pcpu" "$hot")"
}

log "warm-up 5 s (compactor paused)"
wrk -t1 -c16 -d5s -s "$WORK/pages.lua" "$BASE" >/dev/null 2>&1 || true
for r in $(seq 1 "$ROUNDS"); do
  kill -STOP "$CPID"; sleep 1
  phase "off$r"
  kill -CONT "$CPID"; sleep 2  # let the resumed worker pick its jobs up
  phase "on$r"
done
resume
SEGS=$(PGPASSWORD=se psql -h 127.0.0.1 -p "${SE_PG_PORT:-55432}" -U se -d storage_engine -Atc \
  "select coalesce(sum(size_bytes),0) || ' ' || count(*) from segments where state = 'ACTIVE'" 2>/dev/null || echo "? ?")

printf '\n%-6s %9s %8s %8s %8s %7s %15s %10s %s\n' phase req/s p50_us p95_us p99_us errors compactor_cpu_s page_cpu_s hot_entries/trimmed/cold_segs
for row in "${ROWS[@]}"; do printf '%-6s %9s %8s %8s %8s %7s %15s %10s %s\n' $row; done
printf '%s\n' "${ROWS[@]}" | awk '
  $1 ~ /^off/ {off[++no] = $4} $1 ~ /^on/ {on[++nn] = $4}
  END { for (i = 1; i <= nn && i <= no; i++) { r = on[i] / off[i]; printf "round %d p95 on/off ratio: %.3f\n", i, r; s += r; n++ }
        if (n) printf "mean p95 on/off ratio: %.3f (goal < 1.10)\n", s / n }'

HWM=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status"); RSS=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
read -r SEG_BYTES SEG_COUNT <<<"$SEGS"
TOPIC_BYTES=$(du -sb "$SE_LOCAL"/kafka/*/"${SE_WAL_TOPIC:-wal}"-[0-9]* 2>/dev/null | awk '{s += $1} END {print s + 0}')
[[ "$TOPIC_BYTES" != 0 ]] || TOPIC_BYTES=$(find -L "$SE_LOCAL/kafka" -type d -name "${SE_WAL_TOPIC:-wal}-[0-9]*" -exec du -sb {} + 2>/dev/null | awk '{s += $1} END {print s + 0}')
printf '\npage-service pid %s: VmHWM %s MiB, VmRSS %s MiB\n' "$PID" $((HWM / 1024)) $((RSS / 1024))
printf 'segments in catalog: %s, %s bytes; wal topic on disk: %s bytes\n' "$SEG_COUNT" "$SEG_BYTES" "$TOPIC_BYTES"
log "./se status (catalog view):"; "$SE_ROOT/se" status 2>&1 | tail -n 25 >&2 || true
awk -v h="$HWM" -v s="$SEG_BYTES" -v t="$TOPIC_BYTES" 'BEGIN { if (s + t > 0)
  printf "data managed %.2f GB -> VmHWM %.0f MiB per GB\n", (s + t) / 1e9, (h / 1024) / ((s + t) / 1e9) }'
