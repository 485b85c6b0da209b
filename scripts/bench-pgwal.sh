#!/usr/bin/env bash
# bench-pgwal.sh: decode throughput of PostgreSQL WAL, ours (postgres-wal's XLogReader: page headers,
# reassembly, CRC-32C, decoding) versus pg_waldump --stats (the same work in C), on the same segment
# files, interleaved, one core each. Prints seconds per pass of each and the ratio pg_waldump / ours
# (goal >= 1.0).
#
#   scripts/bench-pgwal.sh [DIR]
#
# DIR: a directory of WAL segment files (a pg_wal copy). Without it, the script makes one: a private
# PostgreSQL 15 cluster (initdb in $BENCH_DIR, as the postgres OS user when run as root), pgbench -i
# -s $BENCH_SCALE, then pgbench -c 4 -T $BENCH_SECONDS, and copies its pg_wal.
# Knobs (env): BENCH_DIR (/tmp/se-bench-pgwal), BENCH_SCALE (10), BENCH_SECONDS (30), BENCH_ROUNDS (3),
# BENCH_PASSES (5 timed passes of ours per round), BENCH_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SE_ROOT=$ROOT
# shellcheck source=/dev/null
source "$ROOT/scripts/lib/common.sh" # se_mvn
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
WORK=${BENCH_DIR:-/tmp/se-bench-pgwal}
SCALE=${BENCH_SCALE:-10}
SECONDS_RUN=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
PASSES=${BENCH_PASSES:-5}
PGBIN=$(pg_config --bindir)

mkdir -p "$WORK"
DIR=${1:-}
if [[ -z "$DIR" ]]; then
  DIR="$WORK/pg_wal"
  if [[ ! -d "$DIR" ]]; then
    PGDATA="$WORK/data"
    RUN=()
    if [[ $(id -u) == 0 ]]; then
      chown postgres "$WORK"
      RUN=(runuser -u postgres --)
    fi
    PORT=$((20000 + RANDOM % 20000))
    "${RUN[@]}" "$PGBIN/initdb" -D "$PGDATA" -U se --auth=trust --no-sync >/dev/null
    printf "port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_wal_size = 4GB\nwal_keep_size = 4GB\n" \
      "$PORT" "$WORK" >>"$PGDATA/postgresql.conf"
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w start >/dev/null
    trap '"${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true' EXIT
    "$PGBIN/pgbench" -h 127.0.0.1 -p "$PORT" -U se -i -s "$SCALE" postgres >/dev/null 2>&1
    "$PGBIN/pgbench" -h 127.0.0.1 -p "$PORT" -U se -c 4 -T "$SECONDS_RUN" postgres | grep -E "tps|transactions"
    "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U se -d postgres -qAtc "SELECT pg_switch_wal()" >/dev/null
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    trap - EXIT
    mkdir -p "$DIR"
    cp "$PGDATA"/pg_wal/[0-9A-F]* "$DIR"/
  fi
fi
FIRST=$(ls "$DIR" | grep -E '^[0-9A-F]{24}$' | sort | head -1)
LAST=$(ls "$DIR" | grep -E '^[0-9A-F]{24}$' | sort | tail -1)
echo "segments: $(ls "$DIR" | grep -cE '^[0-9A-F]{24}$') in $DIR ($FIRST .. $LAST), $(du -sh "$DIR" | cut -f1)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  se_mvn -q -pl postgres-wal -am test-compile -DskipTests >&2
  se_mvn -q -pl postgres-wal dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt >&2
fi
CP="$ROOT/postgres-wal/target/test-classes:$ROOT/postgres-wal/target/classes:$(cat "$ROOT/postgres-wal/target/test-classpath.txt")"

waldump_pass() { # seconds of one pg_waldump --stats pass over the directory (it ends with an end-of-WAL error)
  local t0 t1
  t0=$(date +%s.%N)
  taskset -c 0 "$PGBIN/pg_waldump" --stats -p "$DIR" "$FIRST" "$LAST" >"$WORK/waldump-stats.txt" 2>"$WORK/waldump-err.txt" || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

for round in $(seq 1 "$ROUNDS"); do
  w=$(waldump_pass)
  ours=$(taskset -c 0 "$JAVA" -Xmx512m -Dpgwal.bench.dir="$DIR" -cp "$CP" \
      io.storageengine.postgres.wal.bench.SegmentDecodeBench "$PASSES" | tee "$WORK/ours-$round.txt" | tail -1)
  o=$(sed -E 's/^median: ([0-9.]+) s.*/\1/' <<<"$ours")
  printf 'round %d: pg_waldump --stats %.3f s, ours %.3f s (%s); ratio pg_waldump/ours %.2f\n' \
    "$round" "$w" "$o" "${ours#median: }" "$(echo "$w / $o" | bc -l)"
done
grep -E "^Total" "$WORK/waldump-stats.txt" || true
