#!/usr/bin/env bash
# bench-memory.sh (./se bench memory): page-service memory while the data it manages grows.
#
# Needs the `./se up` stack. Publishes MEM_BYTES (default 10G; 0: publish nothing, only sample until
# the compactor has caught up) of walgen WAL to the demo timeline
# (MEM_RELATIONS x MEM_PAGES_PER_RELATION pages, default 64 x 4096 = 262,144 pages = 2 GiB of page
# space; seed MEM_SEED), starting above the newest applied LSN, and samples every MEM_EVERY seconds
# (default 30) until the compactor has caught up (catalog offsets at the end of every partition)
# and the hot store has been trimmed, bounded by MEM_MAX_WAIT (default 3600 s) after publishing:
#   elapsed, page-service VmRSS and VmHWM (/proc), data managed = ACTIVE segment bytes in the
#   catalog + the wal topic's bytes on disk, hot-store entries, open segment readers and their
#   metadata heap (se_cold_readers_*), compactor L0 backlog.
# Then prints the peak RSS, the last sample, and RSS per GB managed. The compactor should run with
# production segment sizes for this (the ./se up stack cuts 512 KiB L0s for its demo): restart it
# with SE_COMPACTOR_L0_SEGMENT_BYTES=67108864 SE_COMPACTOR_L0_MAX_AGE=60s first (see the runbook).
# The page service's configured bound: -Xmx (./se up: 1 GiB) + kafka.rocksdb-memory-mb (256 MiB)
# + JVM overhead (metaspace, threads, code cache, direct buffers).
set -euo pipefail

SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}
BYTES=${MEM_BYTES:-10G}
EVERY=${MEM_EVERY:-30}
MAX_WAIT=${MEM_MAX_WAIT:-3600}
PORT=${SE_HTTP_PORT:-8080}
ADMIN=${SE_ADMIN_PORT:-9090}
BASE="http://127.0.0.1:$PORT"
TL="/v1/tenants/$TENANT/timelines/$TIMELINE"
WORK=$(mktemp -d)
SAMPLER=
cleanup() { [[ -z "$SAMPLER" ]] || kill "$SAMPLER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$SE_ROOT"
setup_java
ensure_dirs
PID=$(pid_of page-service) || die "no page-service started by ./se up"
pg() { PGPASSWORD=${SE_CATALOG_PASSWORD:-se} psql -h 127.0.0.1 -p "${SE_PG_PORT:-55432}" -U "${SE_CATALOG_USER:-se}" \
  -d storage_engine -Atc "$1" 2>/dev/null; }
metric() { awk -v m="$1" '$1 == m {print $2; exit}' "$WORK/metrics" 2>/dev/null; }

sample() { # one Markdown row
  local rss hwm segs topic managed
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$PID/status")
  hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$PID/status")
  segs=$(pg "select coalesce(sum(size_bytes),0) from segments where state = 'ACTIVE'" || echo 0)
  topic=$(find -L "$SE_LOCAL/kafka" -type d -name "${SE_WAL_TOPIC:-wal}-[0-9]*" -exec du -sb {} + 2>/dev/null \
    | awk '{s += $1} END {printf "%d", s}')
  managed=$(( ${segs:-0} + ${topic:-0} ))
  curl -fsS -m 5 "http://127.0.0.1:$ADMIN/metrics" >"$WORK/metrics" 2>/dev/null || : >"$WORK/metrics"
  printf '| %6s | %7s | %7s | %8.2f | %8.2f | %8.2f | %10s | %6s | %8s | %s |\n' "$((SECONDS - T0))" "$rss" "$hwm" \
    "$(echo "$managed" | awk '{print $1 / 1e9}')" "$(echo "${segs:-0}" | awk '{print $1 / 1e9}')" \
    "$(echo "${topic:-0}" | awk '{print $1 / 1e9}')" "$(metric se_hot_store_entries)" "$(metric se_cold_readers_open)" \
    "$(metric se_cold_readers_metadata_bytes | awk '{printf "%.1f", $1 / 1048576}')" "$(backlog)"
}
backlog() { # WAL records not yet covered by L0 segments, over all partitions (needs the catalog)
  local covered end
  covered=$(pg "select coalesce(sum(next_offset),0) from partition_offsets where topic = '${SE_WAL_TOPIC:-wal}'" || echo "")
  end=$("$SE_ROOT/se" status 2>/dev/null | awk '/^topic /{t=1; next} t && /^[0-9]+ / {s += $3} /^$/ && t {t=0} END {printf "%d", s}')
  [[ -n "$covered" ]] && echo $((end - covered)) || echo "?"
}

LSN0=$(applied_lsn "$BASE$TL")
[[ -n "$LSN0" ]] || die "cannot read the demo timeline's applied LSN from $BASE$TL"
START=$(printf '%X/0' $(( 0x${LSN0%%/*} + 1 )))
info "page-service pid $PID, applied $LSN0; publishing $BYTES from $START; sampling every $EVERY s"
info "command: MEM_BYTES=$BYTES ./se bench memory   (load: $(cut -d' ' -f1-3 /proc/loadavg))"
T0=$SECONDS
{
  echo "| t_s | rss_MiB | hwm_MiB | managed_GB | segs_GB | topic_GB | hot_entries | readers | reader_meta_MiB | l0_backlog_records |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} | tee "$WORK/table"
( set +e; while true; do sample | tee -a "$WORK/table"; sleep "$EVERY"; done ) &
SAMPLER=$!
if [[ "$BYTES" != 0 ]]; then
"$SE_ROOT/se" walgen --bytes "$BYTES" --seed "${MEM_SEED:-77}" --relations "${MEM_RELATIONS:-64}" \
  --pages-per-relation "${MEM_PAGES_PER_RELATION:-4096}" --start-lsn "$START" --out - 2>"$WORK/walgen.err" \
  | "$SE_ROOT/se" ingest --tenant "$TENANT" --timeline "$TIMELINE" - >"$WORK/ingest.out" 2>&1 \
  || { cat "$WORK/walgen.err" "$WORK/ingest.out" >&2; die "walgen | ingest failed"; }
info "published in $((SECONDS - T0)) s: $(grep -m1 'stream=' "$WORK/ingest.out" || tail -1 "$WORK/ingest.out")"
fi
deadline=$((SECONDS + MAX_WAIT))
while ((SECONDS < deadline)); do
  b=$(backlog)
  [[ "$b" == 0 ]] && break
  sleep "$EVERY"
done
sleep "$EVERY"
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
sample | tee -a "$WORK/table"
echo
awk -F'|' 'NR > 2 { if ($3 + 0 > peak) peak = $3 + 0; last = $0; g = $5 + 0; h = $4 + 0 }
  END { printf "peak VmRSS %d MiB; at the end VmHWM %d MiB with %.2f GB managed = %.0f MiB per GB\n", peak, h, g, (g > 0 ? h / g : 0) }' "$WORK/table"
info "done in $((SECONDS - T0)) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
