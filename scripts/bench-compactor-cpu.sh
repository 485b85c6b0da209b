#!/usr/bin/env bash
# bench-compactor-cpu.sh (./se bench compactor-cpu): the running compactor's CPU under steady ingest.
#
# Needs the `./se up` stack. First restarts its compactor with production L0 cuts (CPU_L0_SEGMENT_BYTES
# 64 MiB, CPU_L0_MAX_AGE 60 s; ./se up's demo cuts 512 KiB L0s, 40 a second at 20 MB/s) and the
# caller's SE_COMPACTOR_* settings (CPU_RESTART=0 measures the running one as it is); the compactor
# keeps them afterwards, until it is restarted without them (./se down, ./se up). Publishes
# walgen WAL to the demo timeline at CPU_INGEST_RATE (20M bytes/s, `walgen --bytes-per-second`,
# seed CPU_SEED, starting above the newest applied LSN) for CPU_WARMUP (20 s) + the catch-up
# wait + CPU_SECONDS (60 s). Once the compactor keeps up (its
# compactor_wal_lag_records <= CPU_MAX_LAG, 10000 by default: about 1.5 s of walgen's records at
# 20M, some 6,700 a second; the lag of a partition paused for a cut stays at its last value until
# it is fetched again; waited for at most CPU_CATCHUP, 180 s), it measures over CPU_SECONDS:
#   - the compactor process's CPU (/proc/PID/stat utime+stime: every thread, GC and JIT included)
#     as a share of one core, and WAL MB per CPU second (CPU_INGEST_RATE / that share);
#   - the same per thread group (/proc/PID/task/*: the WAL consumer, L0 flushers, jobs, GC, JIT);
#   - the page service's CPU share over the same window, for scale.
# Unlike `./se bench compaction` (a fresh topic, worker threads only), this is the steady state of
# the deployed worker with its JVM flags (SE_COMPACTOR_JVM_FLAGS), its existing segments and the
# other processes beside it. Compare settings by restarting the compactor between runs, e.g.
#   kill $(cut -d' ' -f1 .local/run/compactor.pid); SE_COMPACTOR_JVM_FLAGS="..." ./se up
# and run this again; alternate the settings, the machine's load moves between runs.
set -euo pipefail

SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}
RATE=${CPU_INGEST_RATE:-20M}
SECS=${CPU_SECONDS:-60}
WARMUP=${CPU_WARMUP:-20}
SEED=${CPU_SEED:-$RANDOM}
MAX_LAG=${CPU_MAX_LAG:-10000}
CATCHUP=${CPU_CATCHUP:-180}
BASE="http://127.0.0.1:${SE_HTTP_PORT:-8080}"
CMETRICS="http://127.0.0.1:${SE_COMPACTOR_ADMIN_PORT:-9091}/metrics"
cd "$SE_ROOT"
setup_java
if [[ "${CPU_RESTART:-1}" == 1 ]]; then
  export SE_COMPACTOR_L0_SEGMENT_BYTES=${CPU_L0_SEGMENT_BYTES:-67108864} SE_COMPACTOR_L0_MAX_AGE=${CPU_L0_MAX_AGE:-60s}
  info "restarting the compactor: SE_COMPACTOR_L0_SEGMENT_BYTES=$SE_COMPACTOR_L0_SEGMENT_BYTES SE_COMPACTOR_L0_MAX_AGE=$SE_COMPACTOR_L0_MAX_AGE $(env | grep -E '^SE_COMPACTOR_(FETCH|JVM|NICE|PACING|MEMORY)' | sort | tr '\n' ' ')"
  restart_service compactor
fi
CPID=$(pid_of compactor) || die "no compactor started by ./se up"
PPID_=$(pid_of page-service) || die "no page-service started by ./se up"
INGEST=
trap '[[ -z "$INGEST" ]] || kill -- -"$INGEST" 2>/dev/null || true' EXIT

lsn=$(applied_lsn "$BASE/v1/tenants/$TENANT/timelines/$TIMELINE")
[[ -n "$lsn" ]] || die "the demo timeline has no applied LSN (./se up loads it)"
start=$(lsn_hex $(( $(lsn_to_int "$lsn") + 1048576 )))
bytes_per_s=$(numfmt --from=iec "$RATE")
info "compactor pid $CPID ($(tr '\0' ' ' </proc/$CPID/cmdline | grep -o -- '-XX:[^ ]*' | tr '\n' ' ')nice $(ps -o ni= -p "$CPID" | tr -d ' '); $(tr '\0' '\n' </proc/$CPID/environ | grep -E '^SE_COMPACTOR_(L0|FETCH)' | sort | tr '\n' ' '))"
info "steady ingest: walgen --bytes-per-second $RATE --seed $SEED from $start | ingest"
steady_ingest "$SEED" "$RATE" "$start" "$TENANT" "$TIMELINE"
INGEST=$!

lag() { curl -fsS -m 5 "$CMETRICS" 2>/dev/null | awk '/^compactor_wal_lag_records/ {printf "%d", $2}'; }
ticks() { local f; f=$(cut -d')' -f2- "/proc/$1/stat"); set -- $f; echo $(( ${12} + ${13} )); }
groups() { # pid -> "group<TAB>ticks" summed over threads, digits and '#N' suffixes dropped from names
  local t st
  for t in /proc/"$1"/task/*; do
    st=$(cat "$t/stat" 2>/dev/null) || continue
    printf '%s\t%s\n' "$(sed -E 's/[#-]?[0-9]+$//' "$t/comm")" "$(ticks "${t#/proc/}" 2>/dev/null || echo 0)"
  done | awk -F'\t' '{a[$1] += $2} END {for (k in a) print k "\t" a[k]}' | sort
}
sleep "$WARMUP"
waited=$WARMUP
until l=$(lag) && [[ -n "$l" && "$l" -le "$MAX_LAG" ]]; do
  ((waited < WARMUP + CATCHUP)) || die "the compactor did not catch up within $CATCHUP s (lag $l records > CPU_MAX_LAG $MAX_LAG)"
  sleep 1; waited=$((waited + 1))
done
info "compactor keeping up after ${waited} s (lag $l records); measuring ${SECS} s (load $(cut -d' ' -f1-3 /proc/loadavg))"
groups "$CPID" >"$SE_LOCAL/cpu-groups.0"; c0=$(ticks "$CPID"); p0=$(ticks "$PPID_")
sleep "$SECS"
groups "$CPID" >"$SE_LOCAL/cpu-groups.1"; c1=$(ticks "$CPID"); p1=$(ticks "$PPID_")
l=$(lag)
hz=$(getconf CLK_TCK)
awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v s="$SECS" -v hz="$hz" -v b="$bytes_per_s" -v lag="$l" \
  -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
    share = c / hz / s
    printf "\ncompactor: %.1f%% of a core at %.0f MB/s of WAL = %.0f MB per CPU second (whole process); page service %.1f%%\n",
      100 * share, b / 1e6, b / 1e6 / share, 100 * p / hz / s
    printf "compactor WAL lag at the end: %s records; load average %s\n", lag, load }'
echo "| thread group | % of a core |"
echo "|---|---:|"
join -t $'\t' "$SE_LOCAL/cpu-groups.0" "$SE_LOCAL/cpu-groups.1" \
  | awk -F'\t' -v s="$SECS" -v hz="$hz" '$3 - $2 > 0 {printf "%s\t%.1f\n", $1, 100 * ($3 - $2) / hz / s}' \
  | sort -t$'\t' -k2 -rn | head -10 | awk -F'\t' '{printf "| %s | %s |\n", $1, $2}'
rm -f "$SE_LOCAL/cpu-groups.0" "$SE_LOCAL/cpu-groups.1"
