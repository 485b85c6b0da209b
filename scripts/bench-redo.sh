#!/usr/bin/env bash
# bench-redo.sh (./se bench redo): our redo vs PostgreSQL's own crash recovery on the same WAL.
#
# Makes a private PostgreSQL 15 (port BENCH_PG_PORT 56500, shared_buffers 1GB, no checkpoint during
# the run), loads pgbench -i -s BENCH_SCALE, CHECKPOINTs, runs pgbench -c 4 for BENCH_SECONDS, then
# kills it (pg_ctl stop -m immediate) and copies pg_wal. Then, interleaved:
#   - PostgreSQL: `pg_ctl start` replays from the checkpoint; its log line "redo done at ...
#     elapsed: T s" gives the replay time (the restart's own start-up is not counted);
#   - ours: `PgReplay` (postgres-redo, crash recovery in the JVM) over the copied pg_wal, from the
#     same redo start LSN to the same end: reading, CRC, decoding and our redo of every block
#     reference into an in-memory page set modified in place (BENCH_MAX_PAGES, default 131072 pages
#     = 1 GiB), as PostgreSQL replays into shared buffers, BENCH_PASSES times (3) in one JVM. The
#     replay-loop time of the first pass (a fresh JVM: interpreted code, JIT compiling) is the figure
#     comparable to a crash recovery; the last pass's is a warm JVM's (a running page service); the
#     JVM's wall time for all passes is printed too.
# Prints records, WAL bytes, both times and the ratios PostgreSQL/ours (goal >= 1.0), with the load
# average. Knobs (env): BENCH_SCALE (10), BENCH_SECONDS (20), BENCH_DIR (/tmp/se-bench-redo),
# BENCH_MAX_PAGES (131072), BENCH_XMX (2g), BENCH_PASSES (3), BENCH_SKIP_BUILD=1.
set -euo pipefail
SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export SE_ROOT
# shellcheck source=/dev/null
for lib in common build postgres; do source "$SE_ROOT/scripts/lib/$lib.sh"; done
setup_java
ensure_dirs
[[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] || ensure_built
PORT=${BENCH_PG_PORT:-56500} SCALE=${BENCH_SCALE:-10} SECS=${BENCH_SECONDS:-20}
DIR=${BENCH_DIR:-/tmp/se-bench-redo} MAXP=${BENCH_MAX_PAGES:-131072} XMX=${BENCH_XMX:-2g}
PASSES=${BENCH_PASSES:-3}
pg_init
rm -rf "$DIR"; mkdir -p "$DIR/data" "$DIR/run"
[[ -n "$PG_USER_OS" ]] && chown -R "$PG_USER_OS:" "$DIR"
D="$DIR/data"; LOG="$DIR/pg.log"
as_pg "$PG_BIN/initdb" -D "$D" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
cat >>"$D/postgresql.conf" <<EOF
listen_addresses = ''
shared_buffers = 1GB
max_wal_size = 20GB
checkpoint_timeout = 1h
wal_level = replica
EOF
pgctl() { as_pg "$PG_BIN/pg_ctl" -D "$D" -l "$LOG" -o "-p $PORT -k $DIR/run" "$@"; }
psql_() { as_pg "$PG_BIN/psql" -X -q -h "$DIR/run" -p "$PORT" -U postgres -d postgres -tAc "$1"; }
pgctl -w start >/dev/null
as_pg "$PG_BIN/pgbench" -q -i -s "$SCALE" -h "$DIR/run" -p "$PORT" -U postgres postgres >/dev/null 2>&1
psql_ "CHECKPOINT"
as_pg "$PG_BIN/pgbench" -c 4 -j 2 -T "$SECS" -h "$DIR/run" -p "$PORT" -U postgres postgres >"$DIR/pgbench.out" 2>&1
pgctl -m immediate stop >/dev/null
cp -a "$D/pg_wal" "$DIR/wal-copy"
pgctl -w -t 600 start >/dev/null
pgctl -m fast stop >/dev/null
start=$(grep -o 'redo starts at [0-9A-F]*/[0-9A-F]*' "$LOG" | tail -1 | awk '{print $4}')
done_line=$(grep 'redo done at' "$LOG" | tail -1)
end=$(awk '{for (i = 1; i <= NF; i++) if ($i == "at") {print $(i+1); exit}}' <<<"${done_line#*redo done}")
pg_secs=$(grep -o 'elapsed: [0-9.]* s' <<<"$done_line" | awk '{print $2}')
[[ -n "$start" && -n "$end" && -n "$pg_secs" ]] || die "could not read PostgreSQL's redo times from $LOG"
lsn_num() { python3 -c 'import sys; a,b=sys.argv[1].split("/"); print((int(a,16)<<32)+int(b,16))' "$1"; }
bytes=$(( $(lsn_num "$end") - $(lsn_num "$start") ))
t0=$(date +%s.%N)
"$JAVA" -Xmx"$XMX" --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp postgres-redo)" \
  io.storageengine.postgres.redo.PgReplay --pg-wal "$DIR/wal-copy" --start-lsn "$start" --end-lsn "$end" \
  --max-pages "$MAXP" --passes "$PASSES" >"$DIR/ours.out" 2>&1 || true
t1=$(date +%s.%N)
ours=$(python3 -c "print(round($t1 - $t0, 3))")
records=$(grep -o 'records read: [0-9]*' "$DIR/ours.out" | head -n 1 | awk '{print $3}')
echo "WAL ${start}..${end}: ${bytes} bytes, ${records:-?} records (pgbench -i -s $SCALE, then -c 4 -T $SECS)"
loop=$(grep -o 'replay [0-9.]* s' "$DIR/ours.out" | head -n 1 | awk '{print $2}')
warm=$(grep -o 'replay [0-9.]* s' "$DIR/ours.out" | tail -n 1 | awk '{print $2}')
[[ -n "$loop" ]] || die "pg-replay failed: $(cat "$DIR/ours.out")"
echo "PostgreSQL crash recovery (redo done ... elapsed): ${pg_secs} s"
echo "ours, replay loop, first pass of a fresh JVM:     ${loop} s"
echo "ours, replay loop, pass $PASSES of the same JVM (warm): ${warm} s"
echo "ours, JVM wall time, all $PASSES passes, start-up included: ${ours} s"
python3 -c "print('ratio PostgreSQL/ours: %.2f fresh JVM, %.2f warm JVM (goal >= 1.0)' % ($pg_secs / $loop, $pg_secs / $warm))"
echo "our summary: $(head -n 1 "$DIR/ours.out")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
