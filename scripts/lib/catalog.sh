# shellcheck shell=bash
# The catalog's streaming replica and failover drills of ./se (sourced by ./se, after postgres.sh).
#
#   ./se up --catalog-replica   also starts a streaming replica of the catalog PostgreSQL on
#                               127.0.0.1:$SE_PG_REPLICA_PORT (pg_basebackup -R, asynchronous) and
#                               gives the services SE_CATALOG_REPLICAS (lag-tolerant reads go there;
#                               the primary pool lists both servers, so a promoted one is found)
#   ./se catalog status         each catalog server's role, WAL position and replay lag
#   ./se catalog failover       drill: crash the current primary (pg_ctl stop -m immediate), promote
#                               the other server, then rebuild the crashed one as a replica of the
#                               new primary (SE_FAILOVER_REBUILD=0: leave it down)
#
# The two servers: "pg" (data $PG_DATA, port $SE_PG_PORT, log postgres.log) and "pg-replica"
# (data ${PG_DATA}-replica, port $SE_PG_REPLICA_PORT, log postgres-replica.log); after a failover
# their roles are swapped. Both share the socket directory. As root they run as the postgres OS
# user, like the primary (see postgres.sh).

SE_PG_REPLICA_PORT=${SE_PG_REPLICA_PORT:-55434} # 55433 is the compute node (compute.sh)

catalog_init() {
  pg_init
  PG_REPLICA_DATA="${PG_DATA%/}-replica"
  PG_REPLICA_LOG=$(readlink -f "$SE_LOGS/postgres-replica.log" 2>/dev/null || echo "$SE_LOGS/postgres-replica.log")
}

catalog_replica_configured() { [[ -f "$PG_REPLICA_DATA/PG_VERSION" ]]; }

pg_server_port() { [[ "$1" == pg ]] && echo "$SE_PG_PORT" || echo "$SE_PG_REPLICA_PORT"; }
pg_server_data() { [[ "$1" == pg ]] && echo "$PG_DATA" || echo "$PG_REPLICA_DATA"; }
pg_server_log() { [[ "$1" == pg ]] && echo "$PG_LOG" || echo "$PG_REPLICA_LOG"; }
pg_server_pidname() { [[ "$1" == pg ]] && echo postgres || echo postgres-replica; }

pg_server_running() { # pg|pg-replica
  local d; d=$(pg_server_data "$1")
  [[ -f "$d/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$d" status >/dev/null 2>&1
}

pg_server_sql() { # pg|pg-replica sql -> runs as the bootstrap superuser over the socket
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$(pg_server_port "$1")" -U postgres -d postgres -tAc "$2"
}

pg_server_role() { # pg|pg-replica -> primary | replica | down
  if ! pg_server_running "$1"; then echo down; return 0; fi
  case "$(pg_server_sql "$1" "SELECT pg_is_in_recovery()" 2>/dev/null)" in
    t) echo replica ;;
    f) echo primary ;;
    *) echo down ;;
  esac
}

pg_server_start() { # pg|pg-replica
  local port d log; port=$(pg_server_port "$1"); d=$(pg_server_data "$1"); log=$(pg_server_log "$1")
  touch "$log"; [[ -n "$PG_USER_OS" ]] && chown "$PG_USER_OS:" "$log"
  (as_pg "$PG_BIN/pg_ctl" -D "$d" -l "$log" -w -t 60 -o "-p $port -k $PG_SOCK" start >/dev/null) \
    || { tail -n 30 "$log" >&2; die "PostgreSQL ($1) did not start on port $port"; }
  write_pid "$(pg_server_pidname "$1")" "$(head -n 1 "$d/postmaster.pid")" postgres
}

# A new replica of server $2 in server $1's data directory (emptied first).
pg_server_clone() { # target source
  local d src_port; d=$(pg_server_data "$1"); src_port=$(pg_server_port "$2")
  rm -rf "$d"
  mkdir -p "$d"; chmod 700 "$d"; [[ -n "$PG_USER_OS" ]] && chown "$PG_USER_OS:" "$d"
  info "pg_basebackup of port $src_port into $d"
  (as_pg "$PG_BIN/pg_basebackup" -D "$d" -R -X stream -c fast -h "$PG_SOCK" -p "$src_port" -U postgres \
    >>"$(pg_server_log "$1")" 2>&1) || { tail -n 30 "$(pg_server_log "$1")" >&2; die "pg_basebackup failed"; }
}

catalog_replica_up() {
  catalog_init
  pg_running || die "the catalog primary is not running (./se up starts it)"
  if pg_server_running pg-replica; then
    write_pid postgres-replica "$(head -n 1 "$PG_REPLICA_DATA/postmaster.pid")" postgres
    info "postgres-replica already running (port $SE_PG_REPLICA_PORT, $(pg_server_role pg-replica))"
  else
    require_free_port "$SE_PG_REPLICA_PORT" SE_PG_REPLICA_PORT "PostgreSQL replica"
    local t0=$SECONDS
    catalog_replica_configured || pg_server_clone pg-replica pg
    pg_server_start pg-replica
    info "postgres-replica started (pid $(pid_of postgres-replica), port $SE_PG_REPLICA_PORT, $(pg_server_role pg-replica)) in $((SECONDS - t0)) s"
  fi
  export SE_CATALOG_REPLICAS="jdbc:postgresql://127.0.0.1:$SE_PG_REPLICA_PORT/storage_engine"
}

catalog_replica_down() {
  catalog_init
  if pg_server_running pg-replica; then
    (as_pg "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" -m fast -w -t "${SE_STOP_TIMEOUT:-30}" stop >/dev/null) \
      || warn "pg_ctl stop of the replica timed out"
    info "stopped postgres-replica"
  fi
  rm -f "$SE_RUN/postgres-replica.pid"
}

catalog_servers_status() {
  catalog_init
  local s port lsn
  printf '%-11s %-6s %-8s %s\n' server port role "wal / replay lag"
  for s in pg pg-replica; do
    [[ "$s" == pg-replica ]] && ! catalog_replica_configured && continue
    port=$(pg_server_port "$s")
    case "$(pg_server_role "$s")" in
      primary) lsn=$(pg_server_sql "$s" "SELECT pg_current_wal_lsn()")
               printf '%-11s %-6s %-8s %s\n' "$s" "$port" primary "wal $lsn" ;;
      replica) lsn=$(pg_server_sql "$s" "SELECT pg_last_wal_replay_lsn() || ' replayed, last commit ' || COALESCE(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::text || ' s ago', 'none')")
               printf '%-11s %-6s %-8s %s\n' "$s" "$port" replica "$lsn" ;;
      *) printf '%-11s %-6s %-8s\n' "$s" "$port" down ;;
    esac
  done
  return 0
}

catalog_failover() {
  catalog_init
  catalog_replica_configured || die "no catalog replica: start one with ./se up --catalog-replica"
  local old new
  if [[ "$(pg_server_role pg)" == primary ]]; then old=pg; new=pg-replica
  elif [[ "$(pg_server_role pg-replica)" == primary ]]; then old=pg-replica; new=pg
  else die "no running catalog primary (./se catalog status)"
  fi
  [[ "$(pg_server_role "$new")" == replica ]] || die "$new is not a running replica (./se catalog status)"
  info "catalog failover drill: crash $old (port $(pg_server_port "$old")), promote $new (port $(pg_server_port "$new"))"
  local t0; t0=$(date +%s%N)
  as_pg "$PG_BIN/pg_ctl" -D "$(pg_server_data "$old")" -m immediate -w stop >/dev/null \
    || die "pg_ctl stop -m immediate of $old failed"
  rm -f "$SE_RUN/$(pg_server_pidname "$old").pid"
  as_pg "$PG_BIN/pg_ctl" -D "$(pg_server_data "$new")" -w -t 60 promote >/dev/null || die "pg_ctl promote of $new failed"
  info "promoted $new in $(( ($(date +%s%N) - t0) / 1000000 )) ms; services find it by themselves (targetServerType=primary)"
  if [[ "${SE_FAILOVER_REBUILD:-1}" == 1 ]]; then
    pg_server_clone "$old" "$new"
    pg_server_start "$old"
    info "$old rebuilt as a replica of $new (port $(pg_server_port "$old"))"
  else
    info "$old left down (SE_FAILOVER_REBUILD=0); never start its old data directory again: it would be a second primary"
  fi
  catalog_servers_status
}

cmd_catalog() {
  local sub=${1:-status}
  (($#)) && shift
  setup_java
  ensure_dirs
  case "$sub" in
    status) catalog_servers_status ;;
    failover) catalog_failover ;;
    *) die "usage: ./se catalog <status|failover>" ;;
  esac
}
