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
