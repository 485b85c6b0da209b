#!/usr/bin/env bash
# bench-pglag.sh (./se bench pglag): replication lag of live PostgreSQL ingest under pgbench.
#
# Needs the `./se up` stack with its compute cluster (pg-ingest streaming, database demo). Runs
# `pgbench -c LAG_CLIENTS -T LAG_SECONDS` (full speed) on the compute cluster and samples every
# LAG_EVERY seconds: pg_stat_replication's flush_lag for the pg-ingest walsender (PostgreSQL's own
# view: how long ago the WAL now reported flushed, i.e. durable in Kafka, was written), and the
# engine's watermark lag (the page service's last_applied_lsn for the compute timeline vs
# pg_current_wal_lsn(): the time since PostgreSQL's WAL passed the LSN the engine has applied).
# Prints p50/p95/max of both, pgbench's tps and the WAL bytes written. Knobs (env): LAG_SECONDS
# (30), LAG_CLIENTS (4), LAG_EVERY (0.2).
set -euo pipefail
SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export SE_ROOT
# shellcheck source=/dev/null
for lib in common postgres services compute; do source "$SE_ROOT/scripts/lib/$lib.sh"; done
SE_HTTP_PORT=${SE_HTTP_PORT:-8080}
SECS=${LAG_SECONDS:-30} CLIENTS=${LAG_CLIENTS:-4} EVERY=${LAG_EVERY:-0.2}
compute_paths
compute_running || die "the compute cluster is not running: ./se up first"
is_up pg-ingest || die "pg-ingest is not running: ./se up first"
STATUS="http://127.0.0.1:$SE_HTTP_PORT/v1/tenants/$SE_COMPUTE_TENANT/timelines/$SE_COMPUTE_TIMELINE"
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT
lsn_num() { python3 -c 'import sys; a,b=sys.argv[1].split("/"); print((int(a,16)<<32)+int(b,16))' "$1"; }
start_lsn=$(compute_psql demo "SELECT pg_current_wal_lsn()")
as_pg "$PG_BIN/pgbench" -c "$CLIENTS" -j 2 -T "$SECS" -h "$CP_SOCK" -p "$SE_COMPUTE_PORT" -U postgres demo >"$OUT.pgbench" 2>&1 &
bench=$!
while kill -0 "$bench" 2>/dev/null; do
  now=$(date +%s.%N)
  row=$(compute_psql postgres "SELECT pg_current_wal_lsn(), COALESCE(EXTRACT(EPOCH FROM flush_lag), 0) FROM pg_stat_replication WHERE application_name <> '' ORDER BY pid LIMIT 1" || true)
  applied=$(curl -s -m 1 "$STATUS" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("last_applied_lsn",""))' 2>/dev/null || true)
  [[ -n "$row" && -n "$applied" ]] && printf '%s|%s|%s\n' "$now" "$row" "$applied" >>"$OUT"
  sleep "$EVERY"
done
wait "$bench" || warn "pgbench exited with an error (see $OUT.pgbench)"
end_lsn=$(compute_psql demo "SELECT pg_current_wal_lsn()")
python3 - "$OUT" <<'PYEOF'
import sys
def lsn(s):
    a, b = s.split('/'); return (int(a, 16) << 32) + int(b, 16)
rows = []
for line in open(sys.argv[1]):
    t, cur, flush, applied = line.strip().split('|')
    rows.append((float(t), lsn(cur), float(flush), lsn(applied)))
if not rows:
    print('no samples'); sys.exit(1)
flush = sorted(r[2] for r in rows)
def passed(applied):
    """When PostgreSQL's WAL reached `applied`: interpolated between the two samples around it."""
    prev = None
    for t0, c0, _, _ in rows:
        if c0 >= applied:
            if prev is None or c0 == prev[1]:
                return t0
            return prev[0] + (applied - prev[1]) / (c0 - prev[1]) * (t0 - prev[0])
        prev = (t0, c0)
    return None
eng = []
for t, cur, _, applied in rows:
    p = passed(applied)
    eng.append(max(0.0, t - p) if p is not None and applied < cur else 0.0)
eng.sort()
def pct(v, p): return v[min(len(v) - 1, int(p * len(v)))]
print(f"samples {len(rows)}; flush_lag p50 {pct(flush,.5):.3f} s, p95 {pct(flush,.95):.3f} s, max {flush[-1]:.3f} s")
print(f"engine watermark lag p50 {pct(eng,.5):.3f} s, p95 {pct(eng,.95):.3f} s, max {eng[-1]:.3f} s (PostgreSQL's LSN interpolated between samples)")
PYEOF
grep -E "^tps" "$OUT.pgbench" | head -1 || true
echo "WAL written: $(( $(lsn_num "$end_lsn") - $(lsn_num "$start_lsn") )) bytes ($start_lsn .. $end_lsn); pgbench -c $CLIENTS -j 2 -T $SECS; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$OUT.pgbench"
