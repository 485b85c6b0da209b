# shellcheck shell=bash
# The "compute" PostgreSQL 15 of ./se up: a second private cluster (its own data dir and port,
# wal_level=replica) whose WAL the engine ingests, so the demo serves real PostgreSQL pages.
# Data in .local/compute (or /tmp, as for the catalog cluster; see postgres.sh), port
# $SE_COMPUTE_PORT (55433), database `demo` with pgbench tables. Sourced by ./se after postgres.sh.

SE_COMPUTE_PORT=${SE_COMPUTE_PORT:-55433}
SE_COMPUTE_TENANT=${SE_COMPUTE_TENANT:-c0000000000000000000000000000001}
SE_COMPUTE_TIMELINE=${SE_COMPUTE_TIMELINE:-c0000000000000000000000000000002}
SE_COMPUTE_DATA="$SE_LOCAL/compute"
SE_COMPUTE_SOCK="$SE_LOCAL/compute-run"

compute_paths() {
  pg_init
  if [[ -n "$PG_USER_OS" && ! -e "$SE_COMPUTE_DATA" ]] && ! runuser -u "$PG_USER_OS" -- test -x "$SE_LOCAL" 2>/dev/null; then
    local alt; alt="/tmp/se-compute-pg-$(printf '%s' "$SE_ROOT" | cksum | cut -d' ' -f1)"
    mkdir -p "$alt/data" "$alt/run"
    ln -sfn "$alt/data" "$SE_COMPUTE_DATA"
    ln -sfn "$alt/run" "$SE_COMPUTE_SOCK"
  fi
  mkdir -p "$SE_COMPUTE_DATA" "$SE_COMPUTE_SOCK"
  touch "$SE_LOGS/compute.log"
  CP_DATA=$(readlink -f "$SE_COMPUTE_DATA")
  CP_SOCK=$(readlink -f "$SE_COMPUTE_SOCK")
  CP_LOG="$SE_LOGS/compute.log"
  if [[ -n "$PG_USER_OS" ]]; then
    chown -R "$PG_USER_OS:" "$CP_DATA" "$CP_SOCK"
    chmod 700 "$CP_DATA"
    # the server writes its log through pg_ctl's redirection, opened by the server user
    CP_LOG=$(readlink -f "$(dirname "$CP_DATA")")/compute.log
    [[ "$CP_LOG" == "$SE_LOGS/compute.log" ]] || { touch "$CP_LOG"; chown "$PG_USER_OS:" "$CP_LOG"; ln -sfn "$CP_LOG" "$SE_LOGS/compute.log"; }
  fi
}

compute_psql() { # db sql
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$CP_SOCK" -p "$SE_COMPUTE_PORT" -U postgres -d "$1" -tAc "$2"
}

compute_running() { [[ -f "$CP_DATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$CP_DATA" status >/dev/null 2>&1; }

compute_up() {
  compute_paths
  if compute_running; then
    write_pid compute "$(head -n 1 "$CP_DATA/postmaster.pid")" postgres
    info "compute      already running (pid $(pid_of compute), port $SE_COMPUTE_PORT)"
    return 0
  fi
  require_free_port "$SE_COMPUTE_PORT" SE_COMPUTE_PORT "the compute PostgreSQL"
  if [[ ! -f "$CP_DATA/PG_VERSION" ]]; then
    (as_pg "$PG_BIN/initdb" -D "$CP_DATA" -U postgres --auth-local=trust --auth-host=trust \
      -E UTF8 --locale=C --no-sync >>"$CP_LOG" 2>&1) || { tail -n 20 "$CP_LOG" >&2; die "initdb of the compute cluster failed"; }
    cat >>"$CP_DATA/postgresql.conf" <<EOF

# ./se compute cluster: its WAL is what the engine ingests
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
max_replication_slots = 4
shared_buffers = 64MB
wal_keep_size = 1GB
EOF
    echo "host replication all 127.0.0.1/32 trust" >>"$CP_DATA/pg_hba.conf"
  fi
  local t0=$SECONDS
  (as_pg "$PG_BIN/pg_ctl" -D "$CP_DATA" -l "$CP_LOG" -w -t 60 -o "-p $SE_COMPUTE_PORT -k $CP_SOCK" start >/dev/null) \
    || { tail -n 20 "$CP_LOG" >&2; die "the compute PostgreSQL did not start on port $SE_COMPUTE_PORT"; }
  write_pid compute "$(head -n 1 "$CP_DATA/postmaster.pid")" postgres
  info "compute      started (pid $(pid_of compute), port $SE_COMPUTE_PORT) in $((SECONDS - t0)) s"
}

compute_down() {
  compute_paths
  if ! compute_running; then rm -f "$SE_RUN/compute.pid"; return 0; fi
  (as_pg "$PG_BIN/pg_ctl" -D "$CP_DATA" -m fast -w -t "${SE_STOP_TIMEOUT:-30}" stop >/dev/null) || true
  rm -f "$SE_RUN/compute.pid"
  info "stopped compute"
}

# Streams the compute cluster's WAL into the engine (a background `ingest --pg-url` process named
# pg-ingest, physical slot se_demo), then gives it a small workload: database `demo`, pgbench -i,
# a few seconds of pgbench. Sets COMPUTE_DB, COMPUTE_REL and COMPUTE_LSN for the banner.
load_compute_demo() {
  ingest_available || { info "compute demo skipped: the ingest CLI is not built yet"; return 0; }
  compute_up
  if ! is_up pg-ingest; then
    service_env
    [[ -z "${SE_INGEST_METRICS_PORT:-}" ]] || require_free_port "$SE_INGEST_METRICS_PORT" SE_INGEST_METRICS_PORT "pg-ingest metrics"
    start_java pg-ingest "$INGEST_MAIN" "$(module_cp ingest)" -Xmx512m --enable-native-access=ALL-UNNAMED \
      "${JAVA_UNSAFE_FLAGS[@]}" -- publish --tenant "$SE_COMPUTE_TENANT" --timeline "$SE_COMPUTE_TIMELINE" \
      --bootstrap "$SE_KAFKA_BOOTSTRAP" --topic "$SE_WAL_TOPIC" \
      --pg-url "postgresql://postgres@127.0.0.1:$SE_COMPUTE_PORT/postgres" --slot se_demo --create-slot \
      ${SE_INGEST_METRICS_PORT:+--metrics-port "$SE_INGEST_METRICS_PORT"} # /metrics for ./se up --monitoring
    local deadline=$((SECONDS + 60))
    until [[ "$(compute_psql postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'se_demo' AND active")" == 1 ]]; do
      is_up pg-ingest || { show_log_tail pg-ingest; warn "pg-ingest exited; the real-PostgreSQL demo is skipped"; return 0; }
      ((SECONDS < deadline)) || { show_log_tail pg-ingest; warn "pg-ingest did not start streaming within 60 s"; return 0; }
      sleep 1
    done
    info "pg-ingest    streaming the compute cluster's WAL (slot se_demo, log: ./se logs pg-ingest)"
  fi
  if [[ "$(compute_psql postgres "SELECT count(*) FROM pg_database WHERE datname = 'demo'")" != 1 ]]; then
    compute_psql postgres "CREATE DATABASE demo"
    as_pg "$PG_BIN/pgbench" -q -i -s "${SE_COMPUTE_SCALE:-1}" -h "$CP_SOCK" -p "$SE_COMPUTE_PORT" -U postgres demo >>"$SE_LOGS/compute-load.log" 2>&1 \
      || warn "pgbench -i failed (see $SE_LOGS/compute-load.log)"
    compute_psql demo "CREATE EXTENSION IF NOT EXISTS pageinspect"
    as_pg "$PG_BIN/pgbench" -T "${SE_COMPUTE_PGBENCH_SECONDS:-5}" -c 2 -h "$CP_SOCK" -p "$SE_COMPUTE_PORT" -U postgres demo >>"$SE_LOGS/compute-load.log" 2>&1 \
      || warn "pgbench failed (see $SE_LOGS/compute-load.log)"
    compute_psql demo "CHECKPOINT"
    info "compute      database demo: pgbench -i -s ${SE_COMPUTE_SCALE:-1} and ${SE_COMPUTE_PGBENCH_SECONDS:-5} s of pgbench"
  fi
  COMPUTE_DB=$(compute_psql postgres "SELECT oid FROM pg_database WHERE datname = 'demo'")
  COMPUTE_REL=$(compute_psql demo "SELECT pg_relation_filenode('pgbench_accounts')")
  COMPUTE_LSN=$(compute_psql demo "SELECT pg_current_wal_lsn()")
}

# The lines of ./se up's banner for the real-PostgreSQL demo.
compute_banner() {
  [[ -n "${COMPUTE_LSN:-}" ]] || return 0
  printf '  Compute     PostgreSQL 15 on 127.0.0.1:%s (database demo, pgbench); WAL streamed by pg-ingest\n' "$SE_COMPUTE_PORT"
  printf "  Real page   curl -s -o real.bin -D -%s 'http://127.0.0.1:%s/v1/tenants/%s/timelines/%s/pages/1663/%s/%s/0?lsn=%s'\n" \
    "${SE_COMPUTE_CURL_AUTH:-}" "$SE_HTTP_PORT" "$SE_COMPUTE_TENANT" "$SE_COMPUTE_TIMELINE" "$COMPUTE_DB" "$COMPUTE_REL" "$COMPUTE_LSN"
  printf '              (block 0 of pgbench_accounts as of %s; compare: ./se pg-page demo pgbench_accounts 0 %s)\n' "$COMPUTE_LSN" "$COMPUTE_LSN"
  printf "  Relation    curl -s%s 'http://127.0.0.1:%s/v1/tenants/%s/timelines/%s/relations/1663/%s/%s?lsn=%s'\n" \
    "${SE_COMPUTE_CURL_AUTH:-}" "$SE_HTTP_PORT" "$SE_COMPUTE_TENANT" "$SE_COMPUTE_TIMELINE" "$COMPUTE_DB" "$COMPUTE_REL" "$COMPUTE_LSN"
}

REDO_VERIFY_MAIN=io.storageengine.postgres.redo.PgVerify
REDO_REPLAY_MAIN=io.storageengine.postgres.redo.PgReplay
REDO_COMPARE_MAIN=io.storageengine.postgres.redo.PgPageCompare

redo_cli() { # main args...
  has_main postgres-redo "${1//.//}" || die "postgres-redo ($1) is not built yet: run ./se build"
  local main=$1; shift
  "$JAVA" -Xmx1g "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp postgres-redo)" "$main" "$@"
}

# ./se pg-page DB REL BLOCK [LSN]: block BLOCK of relation REL (main fork) of database DB of the compute
# cluster, as the local page service serves it at LSN (default: the cluster's pg_current_wal_lsn()) and
# as the cluster has it (get_raw_page, pageinspect), masked as PostgreSQL masks that kind of page and
# compared: prints "equal" (exit 0) or the first differing offset (exit 1).
cmd_pg_page() {
  (($# == 3 || $# == 4)) || die "usage: ./se pg-page DB REL BLOCK [LSN]   (e.g. ./se pg-page demo pgbench_accounts 0)"
  local db=$1 rel=$2 block=$3 lsn=${4:-}
  [[ "$block" =~ ^[0-9]+$ ]] || die "BLOCK must be a block number, not '$block'"
  [[ "$rel" =~ ^[A-Za-z0-9_.\"]+$ ]] || die "REL must be a relation name, not '$rel'"
  compute_paths
  compute_running || die "the compute PostgreSQL is not running on port $SE_COMPUTE_PORT: run ./se up"
  [[ -n "$lsn" ]] || lsn=$(compute_psql "$db" "SELECT pg_current_wal_lsn()")
  compute_psql "$db" "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
  local info spc dboid node kind nblocks
  info=$(compute_psql "$db" "SELECT CASE WHEN c.reltablespace = 0 THEN d.dattablespace ELSE c.reltablespace END, d.oid,
      pg_relation_filenode(c.oid), CASE WHEN c.relkind IN ('r', 't', 'm') THEN 'heap'
      WHEN c.relkind = 'i' AND am.amname IN ('btree', 'hash', 'gin', 'gist', 'brin', 'spgist') THEN am.amname ELSE 'other' END,
      pg_relation_size(c.oid) / 8192
      FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam, pg_database d
      WHERE c.oid = '$rel'::regclass AND d.datname = current_database()") || die "no relation $rel in database $db"
  IFS='|' read -r spc dboid node kind nblocks <<<"$info"
  [[ -n "$node" ]] || die "$rel has no storage"
  ((block < nblocks)) || die "$rel has $nblocks blocks on the compute cluster, no block $block"
  local dir; dir=$(mktemp -d)
  trap 'rm -rf "$dir"; trap - RETURN' RETURN
  compute_psql "$db" "SELECT encode(get_raw_page('$rel', 'main', $block), 'base64')" | base64 -d >"$dir/theirs.bin"
  local url="http://127.0.0.1:$SE_HTTP_PORT/v1/tenants/$SE_COMPUTE_TENANT/timelines/$SE_COMPUTE_TIMELINE/pages/$spc/$dboid/$node/$block?lsn=$lsn"
  local code; code=$(curl -s -o "$dir/ours.bin" -w '%{http_code}' "$url") || die "page service not reachable at $url"
  [[ "$code" == 200 ]] || die "page service answered $code for $url: $(head -c 400 "$dir/ours.bin")"
  info "$rel ($kind, $spc/$dboid/$node) block $block at $lsn:"
  redo_cli "$REDO_COMPARE_MAIN" "$dir/ours.bin" "$dir/theirs.bin" "$kind" "$block"
}
