#!/usr/bin/env bash
# bench-read-during-compaction.sh (./se bench read-during-compaction): GetPage latency at a fixed
# offered load below saturation with the compactor paused vs compacting, interleaved in one run, and
# page-service RSS per GB of data managed. Runs against the `./se up` stack (needs it up first).
#
# RDC_MODE=steady (the default; what the goal "read p95 running vs paused <= 1.10" is about): the
# compactor is restarted with production segment sizes (RDC_L0_SEGMENT_BYTES 64 MiB, RDC_L0_MAX_AGE
# 60s) and WAL flows at a steady RDC_INGEST_RATE (20M bytes/s, `walgen --bytes-per-second`) through
# the whole run. Once the compactor keeps up (its compactor_wal_lag_records <= RDC_MAX_LAG, 2000,
# after RDC_STEADY_WARMUP 30 s), saturation is measured running ("sat-on") and stopped ("sat-off",
# kill -STOP); then per round an open-loop run with the compactor running in its steady state
# ("onN") and one with it stopped ("offN"), reading at the newest applied LSN, after which it is
# resumed and the script waits (at most RDC_CATCHUP_MAX, 600 s) until it has caught up again. The
# table adds the compactor's WAL lag at each run's start and end and the seconds its CPU pacing slept.
#
# RDC_MODE=burst (the earlier procedure: catch-up bursts after each paused publish):
#
#  1. restarts the ./se up page service with SE_RATE_LIMIT raised (RDC_RATE_LIMIT, default 1e8) so the
#     1,000 req/s tenant limiter does not answer 429s (RDC_RESTART_PAGE=0 skips this); with
#     RDC_COMPACTOR_NICE set, restarts the compactor at that niceness (SE_COMPACTOR_NICE, see
#     docs/runbook.md "Isolating compactors"); prints the exact command, the compactor's nice and JVM
#     flags, and the load average;
#  2. round 0: pauses the compactor (kill -STOP on the pid in .local/run/compactor.pid; always resumed
#     on exit), publishes RDC_ROUND_BYTES (256M) of walgen WAL (seed RDC_SEED+round) above the newest
#     applied LSN and waits until the page service has applied it; then measures saturation with
#     `wrk -t1 -c16 --latency` (closed loop) for RDC_SECONDS, compactor paused ("sat-off", the
#     baseline) and running ("sat-on");
#  3. rounds 1..RDC_ROUNDS (3): publish RDC_ROUND_BYTES more WAL with the compactor paused (so it has
#     work when resumed), wait until applied, then an open-loop run (OpenLoopLoad, module loadtest
#     ) at a fixed rate R = RDC_RATE, default RDC_RATE_FRACTION (0.5) x the sat-off req/s, with
#     the compactor paused ("offN") and then resumed ("onN"), both reading random demo pages
#     1663/5/16384..16387/0..255 at the LSN just published (so both read the same versions);
#  4. per run: OpenLoopLoad's Markdown row (offered/achieved req/s, p50/p95/p99/max from the intended
#     send times, errors by kind) plus, over the run's whole window (JVM start + RDC_WARMUP s +
#     RDC_SECONDS): bytes the compactor read (compactor_bytes_in_bytes_total, all job kinds, counted
#     when a job ends), compactor and page-service CPU seconds (/proc utime+stime), page-service
#     run-queue wait (sum over its threads of /proc/PID/task/*/schedstat field 2: time runnable but
#     not on a CPU, the direct measure of CPU contention), page-service GC seconds (jstat GCT), cold
#     block lookups (se_segments_block_cache_hits+misses: reads falling through to segments and the
#     trimmer's coverage checks), hot-trim passes and versions trimmed; then the p95
#     on/off ratio per round, their median and mean (goal < 1.10), and the saturation figures;
#  5. the page service's VmHWM/VmRSS against the data managed (active segment bytes in the catalog +
#     the wal topic's bytes on disk).
# Knobs (env): RDC_MODE (steady), RDC_INGEST_RATE, RDC_MAX_LAG, RDC_CATCHUP_MAX, RDC_STEADY_WARMUP,
# RDC_L0_SEGMENT_BYTES, RDC_L0_MAX_AGE (steady, above), RDC_SECONDS (20), RDC_WARMUP (3), RDC_ROUNDS (3), RDC_ROUND_BYTES (256M), RDC_SEED
# (4242; the WAL differs per seed, use a new one per run on the same stack), RDC_RATE,
# RDC_RATE_FRACTION (0.5), RDC_MAX_IN_FLIGHT (64), RDC_COMPACTOR_NICE (unset: keep the running
# compactor), RDC_RESTART_PAGE (1), RDC_RATE_LIMIT (1e8), RDC_COLD (unset: keep; true/false restarts
# the page service with SE_COLD_ENABLED so), RDC_JFR (0; 1 records a JFR profile of the page service
# over the rounds into .local/rdc-page-service.jfr). Only 127.0.0.1 targets. Every loop is bounded.
set -euo pipefail

SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}
SECS=${RDC_SECONDS:-20}
WARMUP=${RDC_WARMUP:-3}
ROUNDS=${RDC_ROUNDS:-3}
ROUND_BYTES=${RDC_ROUND_BYTES:-256M}
SEED=${RDC_SEED:-4242}
FRACTION=${RDC_RATE_FRACTION:-0.5}
MAX_IN_FLIGHT=${RDC_MAX_IN_FLIGHT:-64}
MODE=${RDC_MODE:-steady}
INGEST_RATE=${RDC_INGEST_RATE:-20M}
MAX_LAG=${RDC_MAX_LAG:-2000}
CATCHUP_MAX=${RDC_CATCHUP_MAX:-600}
[[ "$MODE" == steady || "$MODE" == burst ]] || { echo "RDC_MODE must be steady or burst, not $MODE" >&2; exit 2; }
PORT=${SE_HTTP_PORT:-8080}
ADMIN=${SE_ADMIN_PORT:-9090}
CADMIN=${SE_COMPACTOR_ADMIN_PORT:-9091}
BASE="http://127.0.0.1:$PORT"
TL="/v1/tenants/$TENANT/timelines/$TIMELINE"
WORK=$(mktemp -d)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$SE_ROOT"
setup_java
ensure_dirs
ts() { date -u +%H:%M:%S; }
log() { printf '%s %s\n' "$(ts)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# the exact command, for the report (environment knobs that change the run, then the script)
CMDLINE=$(env | { grep -E '^(RDC_|SE_(HTTP|ADMIN|COMPACTOR_ADMIN|KAFKA|PG)_PORT=|SE_COMPACTOR_NICE=)' || true; } | sort | tr '\n' ' ')
CMDLINE="${CMDLINE}scripts/bench-read-during-compaction.sh"
printf '# read latency during compaction\n\ncommand: `%s`  \nstarted %s UTC, load average %s, %s CPUs, %s\n' \
  "$CMDLINE" "$(date -u +%FT%T)" "$(loadavg)" "$(nproc)" "$(git -C "$SE_ROOT" log -1 --format='commit %h' 2>/dev/null || echo '')"

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || die "could not install wrk"; }
LOADGEN_CP="$(module_cp loadtest)"

pid_of compactor >/dev/null || die "no compactor started by ./se up"
CPID=
resume() { [[ -z "$CPID" ]] || kill -CONT "$CPID" 2>/dev/null || true; }
INGEST_PID=
stop_ingest() { # the steady ingest's process group (setsid)
  [[ -z "$INGEST_PID" ]] && return 0
  kill -- -"$INGEST_PID" 2>/dev/null || kill "$INGEST_PID" 2>/dev/null || true
  wait "$INGEST_PID" 2>/dev/null || true
  INGEST_PID=
}
trap 'resume; stop_ingest; rm -rf "$WORK"' EXIT

if [[ -n "${RDC_COMPACTOR_NICE:-}" || "$MODE" == steady ]]; then
  # steady: production segment sizes (./se up's demo cuts 512 KiB L0s, 40 a second at 20 MB/s)
  if [[ "$MODE" == steady ]]; then
    export SE_COMPACTOR_L0_SEGMENT_BYTES=${RDC_L0_SEGMENT_BYTES:-67108864} SE_COMPACTOR_L0_MAX_AGE=${RDC_L0_MAX_AGE:-60s}
  fi
  if [[ -n "${RDC_COMPACTOR_NICE:-}" ]]; then export SE_COMPACTOR_NICE=$RDC_COMPACTOR_NICE; fi
  log "restarting compactor (SE_COMPACTOR_NICE=${SE_COMPACTOR_NICE:-default}${SE_COMPACTOR_L0_SEGMENT_BYTES:+ SE_COMPACTOR_L0_SEGMENT_BYTES=$SE_COMPACTOR_L0_SEGMENT_BYTES SE_COMPACTOR_L0_MAX_AGE=$SE_COMPACTOR_L0_MAX_AGE})"
  restart_service compactor
fi
CPID=$(pid_of compactor) || die "compactor did not start"
if [[ "${RDC_RESTART_PAGE:-1}" == 1 ]]; then
  log "restarting page-service with SE_RATE_LIMIT=${RDC_RATE_LIMIT:-100000000}${RDC_COLD:+ SE_COLD_ENABLED=$RDC_COLD}"
  if [[ -n "${RDC_COLD:-}" ]]; then export SE_COLD_ENABLED=$RDC_COLD; fi
  SE_RATE_LIMIT=${RDC_RATE_LIMIT:-100000000} restart_service page-service
fi
PID=$(pid_of page-service) || die "no page-service started by ./se up"
CNICE=$(ps -o ni= -p "$CPID" | tr -d ' ')
CFLAGS=$(tr '\0' '\n' <"/proc/$CPID/cmdline" | grep -E '^-XX:' | tr '\n' ' ' || true)
printf 'compactor pid %s nice %s scheduling %s JVM flags: %s  \npage-service pid %s nice %s, SE_COLD_ENABLED=%s\n\n' "$CPID" "$CNICE" \
  "$(chrt -p "$CPID" 2>/dev/null | sed -n 's/.*scheduling policy: //p' | head -1)" "${CFLAGS:-(none)}" "$PID" "$(ps -o ni= -p "$PID" | tr -d ' ')" \
  "$(tr '\0' '\n' <"/proc/$PID/environ" 2>/dev/null | sed -n 's/^SE_COLD_ENABLED=//p' | head -1 || true)"

applied() { applied_lsn "$BASE$TL"; }
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
log "page-service pid $PID ready, applied LSN $LSN0; compactor pid $CPID (nice $CNICE)"

publish() { # round -> LSN the page service has applied afterwards (compactor paused on return)
  local round=$1 lsn start s t0=$SECONDS
  lsn=$(wait_stable) || die "page service not stable before publishing"
  s=$(( $(lsn_to_int "$lsn") + 1048576 )); start=$(lsn_hex "$s")
  kill -STOP "$CPID"
  log "round $round: compactor paused; publishing $ROUND_BYTES of WAL (seed $((SEED + round)), start LSN $start)"
  "$SE_ROOT/se" walgen --bytes "$ROUND_BYTES" --seed "$((SEED + round))" --start-lsn "$start" --out - 2>"$WORK/walgen.err" \
    | "$SE_ROOT/se" ingest --tenant "$TENANT" --timeline "$TIMELINE" - >"$WORK/ingest.out" 2>&1 \
    || { cat "$WORK/walgen.err" "$WORK/ingest.out" >&2; die "walgen | ingest failed"; }
  lsn=$(wait_stable) || die "page service did not catch up"
  log "round $round: published and applied up to $lsn in $((SECONDS - t0)) s"
  echo "$lsn"
}

HZ=$(getconf CLK_TCK)
metric() { # port name-regex -> sum of the matching samples
  curl -s -m 3 "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v re="$2" '$1 ~ re {s += $2} END {printf "%.0f", s}'
}
runq_ns() { cat /proc/"$PID"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {printf "%.0f", s}'; }
gct() { jstat -gc "$PID" 2>/dev/null | awk 'NR == 2 {print $NF}' || echo 0; }
cmetric() { # name-regex -> the compactor's value ("?" when it does not answer: stopped)
  curl -s -m 1 "http://127.0.0.1:$CADMIN/metrics" 2>/dev/null | awk -v re="$1" '$1 ~ re {s += $2; n++} END {if (n) printf "%.0f", s; else print "?"}'
}
snap() { # -> "cticks pticks runq_ns gct cbytes coldreads trimmed trimpasses clag cpaced"
  local cbytes clag cpaced
  if [[ "$(awk '{print $3}' "/proc/$CPID/stat")" == T ]]; then cbytes=?; clag=?; cpaced=?; else
    cbytes=$(cmetric '^compactor_bytes_in_bytes_total'); clag=$(cmetric '^compactor_wal_lag_records')
    cpaced=$(cmetric '^compactor_pacing_paused_seconds_total'); fi
  printf '%s %s %s %s %s %s %s %s %s %s\n' "$(awk '{print $14 + $15}' "/proc/$CPID/stat")" \
    "$(awk '{print $14 + $15}' "/proc/$PID/stat")" "$(runq_ns)" "$(gct)" "$cbytes" \
    "$(metric "$ADMIN" '^se_segments_block_cache_(hits|misses)_total')" "$(metric "$ADMIN" '^se_hot_trimmed_versions_total')" \
    "$(metric "$ADMIN" '^se_hot_trim_passes_total')" "$clag" "$cpaced"
}
extras() { # before after -> "| comp MB | comp CPU s | page CPU s | page runq s | page GC s | cold blocks | trim passes | trimmed | comp lag | comp paced s |"
  awk -v hz="$HZ" -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
    mb = (x[5] == "?" || y[5] == "?") ? "-" : sprintf("%.0f", (y[5] - x[5]) / 1048576)
    paced = (x[10] == "?" || y[10] == "?") ? "-" : sprintf("%.1f", y[10] - x[10])
    printf "| %s | %.1f | %.1f | %.2f | %.2f | %d | %d | %d | %s→%s | %s |", mb, (y[1] - x[1]) / hz,
      (y[2] - x[2]) / hz, (y[3] - x[3]) / 1e9, y[4] - x[4], y[6] - x[6], y[8] - x[8], y[7] - x[7], x[9], y[9], paced }'
}
EXTRA_HEAD="| comp MB in | comp CPU s | page CPU s | page runq s | page GC s | cold blocks | trim passes | trimmed | comp WAL lag (records, start→end) | comp paced s |"
EXTRA_SEP="|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
ROWS=()

openloop() { # label rate lsn
  local before after row
  before=$(snap)
  row=$("$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$LOADGEN_CP" \
    io.storageengine.loadtest.OpenLoopLoad --base "$BASE" --tenant "$TENANT" --timeline "$TIMELINE" \
    --lsn "$3" --rate "$2" --seconds "$SECS" --warmup-seconds "$WARMUP" --max-in-flight "$MAX_IN_FLIGHT" \
    --seed "$((SEED + ${#ROWS[@]}))" --label "$1" 2>"$WORK/loadgen.err") \
    || { cat "$WORK/loadgen.err" >&2; die "OpenLoopLoad failed"; }
  after=$(snap)
  row="$row $(extras "$before" "$after" | sed 's/^| //')"
  ROWS+=("$row")
  log "$row (load $(loadavg))"
}

wrk_script() { # lsn -> lua file
  cat >"$WORK/pages.lua" <<LUA
math.randomseed(${SEED})
request = function()
  local rel = 16384 + math.random(0, 3)
  local block = math.random(0, 255)
  return wrk.format("GET", "$TL/pages/1663/5/" .. rel .. "/" .. block .. "?lsn=$1")
end
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
LUA
}
SAT=()
declare -A SAT_RPS SAT_P95
saturate() { # label
  local before after rps p50 p95 p99 max err
  before=$(snap)
  wrk -t1 -c16 -d"${SECS}s" --latency -s "$WORK/pages.lua" "$BASE" >"$WORK/$1.out" 2>&1 || true
  after=$(snap)
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/$1.out")
  read -r _ p50 p95 p99 max err < <(grep '^PCT' "$WORK/$1.out" || echo "PCT 0 0 0 0 ?")
  SAT_RPS[$1]=${rps:-0}; SAT_P95[$1]=$p95
  SAT+=("$(awk -v l="$1" -v r="${rps:-0}" -v a="$p50" -v b="$p95" -v c="$p99" -v d="$max" -v e="$err" \
    'BEGIN {printf "| %s | %s | %.2f | %.2f | %.2f | %.2f | %s ", l, r, a / 1000, b / 1000, c / 1000, d / 1000, e == "0" ? "none" : e}')$(extras "$before" "$after")")
  log "${SAT[-1]} (load $(loadavg))"
}

wait_caught_up() { # label min-seconds -> waits until the compactor's WAL lag <= MAX_LAG (bounded by CATCHUP_MAX)
  local t0=$SECONDS lag
  sleep "$2"
  while :; do
    kill -0 "$INGEST_PID" 2>/dev/null || { cat "$WORK/walgen.err" "$WORK/ingest.out" >&2; die "the steady ingest stopped"; }
    lag=$(cmetric '^compactor_wal_lag_records')
    if [[ "$lag" != "?" ]] && ((lag <= MAX_LAG)); then
      log "$1: compactor caught up (WAL lag $lag records) after $((SECONDS - t0)) s (load $(loadavg))"
      return 0
    fi
    if ((SECONDS - t0 > CATCHUP_MAX)); then
      log "$1: compactor still $lag records behind after $CATCHUP_MAX s: it does not keep up with $INGEST_RATE/s"
      NOT_CAUGHT_UP+=("$1 ($lag records)")
      return 0
    fi
    sleep 2
  done
}
NOT_CAUGHT_UP=()

fixed_rate() { # -> sets RATE from RDC_RATE or the fraction of the stopped-compactor saturation
  RATE=${RDC_RATE:-$(awk -v r="${SAT_RPS[sat-off]}" -v f="$FRACTION" 'BEGIN {printf "%.0f", r * f}')}
  ((RATE > 0)) || die "saturation baseline gave no req/s (see $WORK/sat-off.out)"
  log "fixed offered rate $RATE req/s (sat-off ${SAT_RPS[sat-off]} req/s)"
  if [[ "${RDC_JFR:-0}" == 1 ]]; then
    jcmd "$PID" JFR.start name=rdc settings=profile filename="$SE_LOCAL/rdc-page-service.jfr" >/dev/null \
      && log "JFR recording of the page service into $SE_LOCAL/rdc-page-service.jfr"
  fi
}

if [[ "$MODE" == steady ]]; then
  # --- steady ingest: walgen paced at INGEST_RATE for the whole run; the compactor keeps up ---------
  s=$(( $(lsn_to_int "$LSN0") + 1048576 ))
  log "steady ingest: walgen --bytes-per-second $INGEST_RATE (seed $SEED, from LSN $(lsn_hex "$s")) | ingest"
  steady_ingest "$SEED" "$INGEST_RATE" "$(lsn_hex "$s")" "$TENANT" "$TIMELINE" "$WORK"
  INGEST_PID=$!
  wait_caught_up "start" "${RDC_STEADY_WARMUP:-30}"
  LSN=$(applied)
  wrk_script "$LSN"
  log "warm-up 5 s (compactor running)"
  wrk -t1 -c16 -d5s -s "$WORK/pages.lua" "$BASE" >/dev/null 2>&1 || true
  saturate sat-on
  kill -STOP "$CPID"
  saturate sat-off
  kill -CONT "$CPID"
  wait_caught_up "after sat-off" 2
  fixed_rate
  for r in $(seq 1 "$ROUNDS"); do # on (steady state), then off (stopped), then catch up again
    openloop "on$r" "$RATE" "$(applied)"
    kill -STOP "$CPID"
    openloop "off$r" "$RATE" "$(applied)"
    kill -CONT "$CPID"
    wait_caught_up "after off$r" 2
  done
  stop_ingest
else
# --- round 0: saturation baseline (compactor paused) and saturation while compacting -------------
LSN=$(publish 0)
wrk_script "$LSN"
for _ in $(seq 1 10); do # a loaded machine can answer 503 (read deadline) now and then
  code=$(curl -s -m 5 -o "$WORK/p.bin" -w '%{http_code}' "$BASE$TL/pages/1663/5/16384/0?lsn=$LSN" || true)
  [[ "$code" == 200 ]] && break
  sleep 1
done
[[ "$code" == 200 ]] || die "sample page answered HTTP $code (10 tries)"
log "warm-up 5 s (compactor paused)"
wrk -t1 -c16 -d5s -s "$WORK/pages.lua" "$BASE" >/dev/null 2>&1 || true
saturate sat-off
kill -CONT "$CPID"
saturate sat-on
fixed_rate
# --- rounds: fresh WAL (compactor paused), then off, then on ------------------------------------
for r in $(seq 1 "$ROUNDS"); do
  LSN=$(publish "$r")
  openloop "off$r" "$RATE" "$LSN"
  kill -CONT "$CPID"
  openloop "on$r" "$RATE" "$LSN"
done
fi
resume
if [[ "${RDC_JFR:-0}" == 1 ]]; then jcmd "$PID" JFR.stop name=rdc >/dev/null 2>&1 || true; fi

RATE_WHY="RDC_RATE; the closed-loop saturation was ${SAT_RPS[sat-off]} req/s"
[[ -n "${RDC_RATE:-}" ]] || RATE_WHY="$FRACTION x the closed-loop saturation ${SAT_RPS[sat-off]} req/s"
if [[ "$MODE" == steady ]]; then
  printf '\n## steady ingest of %s/s of walgen WAL during every run; the compactor at L0 %s bytes, max age %s\n' \
    "$INGEST_RATE" "$SE_COMPACTOR_L0_SEGMENT_BYTES" "$SE_COMPACTOR_L0_MAX_AGE"
  ((${#NOT_CAUGHT_UP[@]} == 0)) || printf 'compactor did not catch up within %s s: %s\n' "$CATCHUP_MAX" "${NOT_CAUGHT_UP[*]}"
fi
printf '\n## fixed offered rate %s req/s (%s), %s s per run, compactor nice %s\n\n' "$RATE" "$RATE_WHY" "$SECS" "$CNICE"
printf '%s %s\n%s%s\n' "| run | offered req/s | achieved req/s | due | ok | p50 ms | p95 ms | p99 ms | max ms | errors |" \
  "${EXTRA_HEAD#| }" "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|" "${EXTRA_SEP#|}"
printf '%s\n' "${ROWS[@]}"
printf '\n'
printf '%s\n' "${ROWS[@]}" | awk -F'|' '
  { gsub(/ /, "", $2) } $2 ~ /^off/ {off[substr($2, 4)] = $8} $2 ~ /^on/ {on[substr($2, 3)] = $8}
  END { n = 0
        for (k in on) if (k in off && off[k] > 0) { r[++n] = on[k] / off[k]; printf "round %s: p95 on %.2f ms / off %.2f ms = %.3f\n", k, on[k], off[k], r[n]; s += r[n] }
        if (n) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
                 med = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
                 printf "p95 on/off ratio over %d rounds: median %.3f, mean %.3f (goal < 1.10)\n", n, med, s / n } }'
printf '%s\n' "${ROWS[@]}" | awk -F'|' '{ k = ($2 ~ /off/) ? "off" : "on"; n[k]++; p95[k] += $8; ok[k] += $6; cpu[k] += $14; rq[k] += $15; ccpu[k] += $13; mb[k] += $12 }
  END { for (k in n) printf "%-3s runs: mean p95 %.2f ms; compactor %.0f MB in, %.1f CPU s per run; page service %.0f us CPU and %.0f us run-queue wait per 2xx answer\n",
          k, p95[k] / n[k], mb[k] / n[k], ccpu[k] / n[k], 1e6 * cpu[k] / ok[k], 1e6 * rq[k] / ok[k] }'
printf '%s\n' "${ROWS[@]}" | awk -F'|' '$2 ~ /off/ && ($4 < 0.95 * $3 || $11 ~ /overflow/) { bad++ }
  END { if (bad) printf "\nwarning: %d compactor-off run(s) did not keep up with the offered rate (achieved < 95%% or overflow): the rate is above what this machine serves now, so those p95s measure queueing; lower RDC_RATE_FRACTION or set RDC_RATE\n", bad }'
printf '\n## saturation (closed loop, wrk -t1 -c16 --latency, %s s each)\n\n' "$SECS"
printf '| run | req/s | p50 ms | p95 ms | p99 ms | max ms | errors %s\n|---|---:|---:|---:|---:|---:|---%s\n' "$EXTRA_HEAD" "$EXTRA_SEP"
printf '%s\n' "${SAT[@]}"
awk -v r0="${SAT_RPS[sat-off]}" -v r1="${SAT_RPS[sat-on]:-0}" -v p0="${SAT_P95[sat-off]:-0}" -v p1="${SAT_P95[sat-on]:-0}" \
  'BEGIN { if (r0 > 0 && p0 > 0) printf "\nsaturation on/off: req/s %.3f, p95 %.3f\n", r1 / r0, p1 / p0 }'

SEGS=$(PGPASSWORD=se psql -h 127.0.0.1 -p "${SE_PG_PORT:-55432}" -U se -d storage_engine -Atc \
  "select coalesce(sum(size_bytes),0) || ' ' || count(*) from segments where state = 'ACTIVE'" 2>/dev/null || echo "? ?")
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status"); RSS=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
read -r SEG_BYTES SEG_COUNT <<<"$SEGS"
TOPIC_BYTES=$(find -L "$SE_LOCAL/kafka" -type d -name "${SE_WAL_TOPIC:-wal}-[0-9]*" -exec du -sb {} + 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}')
printf '\npage-service pid %s: VmHWM %s MiB, VmRSS %s MiB; segments in catalog: %s, %s bytes; wal topic on disk: %s bytes\n' \
  "$PID" $((HWM / 1024)) $((RSS / 1024)) "$SEG_COUNT" "$SEG_BYTES" "$TOPIC_BYTES"
awk -v h="$HWM" -v s="$SEG_BYTES" -v t="$TOPIC_BYTES" 'BEGIN { if (s + t > 0)
  printf "data managed %.2f GB -> VmHWM %.0f MiB per GB\n", (s + t) / 1e9, (h / 1024) / ((s + t) / 1e9) }'
printf 'finished %s UTC, load average %s\n' "$(date -u +%FT%T)" "$(loadavg)"
