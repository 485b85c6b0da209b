# shellcheck shell=bash
# The local PostgreSQL of ./se: a private cluster (initdb once) listening on 127.0.0.1:$SE_PG_PORT,
# Unix socket in .local/pg-run, user se/se, database storage_engine. Sourced by ./se.
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` OS user (or
# SE_PG_OS_USER) through runuser. That user must be able to reach the data directory; when the
# checkout sits below a directory it cannot enter (e.g. a mktemp -d clone), the data lives in
# /tmp/se-local-pg-<hash> and .local/pg is a symlink to it.

SE_PG_DATA="$SE_LOCAL/pg"
SE_PG_SOCK="$SE_LOCAL/pg-run"

pg_bindir() {
  local d
  if [[ -n "${SE_PG_BINDIR:-}" ]]; then d=$SE_PG_BINDIR
  elif command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then d=$(pg_config --bindir)
  else d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [[ -n "$d" && -x "$d/initdb" ]] || die "PostgreSQL server binaries not found: apt-get install -y postgresql-15 (or set SE_PG_BINDIR)"
  printf '%s\n' "$d"
}

pg_os_user() {
  if [[ $(id -u) -ne 0 ]]; then return 0; fi
  local u=${SE_PG_OS_USER:-postgres}
  if ! id -u "$u" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$u" || die "cannot create OS user $u for PostgreSQL"
  fi
  printf '%s\n' "$u"
}

as_pg() { # command... (as the PostgreSQL OS user when root; from / since it may not enter the cwd)
  if [[ -n "$PG_USER_OS" ]]; then (cd / && runuser -u "$PG_USER_OS" -- "$@"); else "$@"; fi
}

pg_prepare_dirs() {
  mkdir -p "$SE_LOCAL"
  if [[ -n "$PG_USER_OS" && ! -e "$SE_PG_DATA" ]] && ! runuser -u "$PG_USER_OS" -- test -x "$SE_LOCAL" 2>/dev/null; then
    # the server user cannot traverse the checkout: keep the data in /tmp, linked from .local
    local alt; alt="/tmp/se-local-pg-$(printf '%s' "$SE_ROOT" | cksum | cut -d' ' -f1)"
    mkdir -p "$alt/data" "$alt/run"
    touch "$alt/postgres.log"
    ln -sfn "$alt/data" "$SE_PG_DATA"
    ln -sfn "$alt/run" "$SE_PG_SOCK"
    ln -sfn "$alt/postgres.log" "$SE_LOGS/postgres.log"
    warn "user $PG_USER_OS cannot enter $SE_ROOT; PostgreSQL data is in $alt (linked from .local)"
  fi
  mkdir -p "$SE_PG_DATA" "$SE_PG_SOCK"
  touch "$SE_LOGS/postgres.log"
  # the server gets real paths: it may not be able to follow links through the checkout
  PG_DATA=$(readlink -f "$SE_PG_DATA")
  PG_SOCK=$(readlink -f "$SE_PG_SOCK")
  PG_LOG=$(readlink -f "$SE_LOGS/postgres.log")
  if [[ -n "$PG_USER_OS" ]]; then
    chown -R "$PG_USER_OS:" "$PG_DATA" "$PG_SOCK" "$PG_LOG"
    chmod 700 "$PG_DATA"
  fi
}

pg_psql() { # sql -> runs as the bootstrap superuser over the Unix socket
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$SE_PG_PORT" -U postgres -d postgres -tAc "$1"
}

pg_running() { [[ -f "$PG_DATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_init() {
  PG_BIN=$(pg_bindir)
  PG_USER_OS=$(pg_os_user)
  PG_DATA=$(readlink -f "$SE_PG_DATA" || echo "$SE_PG_DATA")
  PG_SOCK=$(readlink -f "$SE_PG_SOCK" || echo "$SE_PG_SOCK")
  PG_LOG=$(readlink -f "$SE_LOGS/postgres.log" || echo "$SE_LOGS/postgres.log")
}

postgres_up() {
  pg_init
  pg_prepare_dirs
  if pg_running; then
    write_pid postgres "$(head -n 1 "$PG_DATA/postmaster.pid")" postgres
    info "postgres     already running (pid $(pid_of postgres), port $SE_PG_PORT)"
    return 0
  fi
  require_free_port "$SE_PG_PORT" SE_PG_PORT "PostgreSQL"
  [[ ! -f "$PG_DATA/se-demoted" ]] || pg_server_refuse_demoted pg # a primary crashed by a failover drill (catalog.sh)
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    info "initdb $PG_DATA ($("$PG_BIN/postgres" --version))"
    (as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C --no-sync >>"$SE_LOGS/postgres.log" 2>&1) \
      || { show_log_tail postgres; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# ./se local stack (port and socket are given on the command line by ./se)
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
EOF
  fi
  local t0=$SECONDS
  (as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $SE_PG_PORT -k $PG_SOCK" start >/dev/null) \
    || { show_log_tail postgres; die "PostgreSQL did not start on port $SE_PG_PORT"; }
  write_pid postgres "$(head -n 1 "$PG_DATA/postmaster.pid")" postgres
  # user se/se and database storage_engine (idempotent)
  if [[ "$(pg_psql "SELECT 1 FROM pg_roles WHERE rolname = 'se'")" != 1 ]]; then
    pg_psql "CREATE ROLE se LOGIN PASSWORD 'se' CREATEDB REPLICATION"
  fi
  if [[ "$(pg_psql "SELECT 1 FROM pg_database WHERE datname = 'storage_engine'")" != 1 ]]; then
    pg_psql "CREATE DATABASE storage_engine OWNER se"
  fi
  info "postgres     started (pid $(pid_of postgres), port $SE_PG_PORT) in $((SECONDS - t0)) s"
}

postgres_down() {
  pg_init
  if ! pg_running; then
    rm -f "$SE_RUN/postgres.pid"
    return 0
  fi
  local pid; pid=$(head -n 1 "$PG_DATA/postmaster.pid")
  (as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "${SE_STOP_TIMEOUT:-30}" stop >/dev/null) || {
    warn "pg_ctl stop timed out; sending SIGQUIT (immediate shutdown)"
    kill -QUIT "$pid" 2>/dev/null || true
    sleep 2
  }
  rm -f "$SE_RUN/postgres.pid"
  info "stopped postgres (pid $pid)"
}
