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
#                               new primary (SE_FAILOVER_REBUILD=0: leave it down, marked demoted)
#   ./se catalog rebuild        rebuild the server that is down or demoted as a replica of the
#                               current primary (after SE_FAILOVER_REBUILD=0, or a lost replica)
#
# A crashed primary's data directory gets a marker file (se-demoted): ./se refuses to start it
# again (it would be a second primary, and the services' multi-host URL could pick it), until
# ./se catalog rebuild replaces it with a copy of the new primary.
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

SE_PG_DEMOTED_MARKER=se-demoted

# Dies if the server's data directory is a primary demoted by a failover drill.
pg_server_refuse_demoted() { # pg|pg-replica
  local d; d=$(pg_server_data "$1")
  [[ -f "$d/$SE_PG_DEMOTED_MARKER" ]] || return 0
  die "the catalog server $1 (port $(pg_server_port "$1"), $d) was the primary before a failover ($(cat "$d/$SE_PG_DEMOTED_MARKER")): starting it would make a second primary. Run ./se catalog rebuild to make it a replica of the current primary"
}

pg_server_start() { # pg|pg-replica
  pg_server_refuse_demoted "$1"
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
  catalog_export_urls
}

# The services' catalog URLs by role: SE_CATALOG_URL on the primary, SE_CATALOG_REPLICAS on the
# replica (after a failover drill the two servers have swapped roles). A URL the caller set is kept.
catalog_export_urls() {
  local primary_port=$SE_PG_PORT replica_port=$SE_PG_REPLICA_PORT
  if [[ "$(pg_server_role pg-replica)" == primary ]]; then
    primary_port=$SE_PG_REPLICA_PORT replica_port=$SE_PG_PORT
  fi
  export SE_CATALOG_URL="${SE_CATALOG_URL:-jdbc:postgresql://127.0.0.1:$primary_port/storage_engine}"
  export SE_CATALOG_REPLICAS="${SE_CATALOG_REPLICAS:-jdbc:postgresql://127.0.0.1:$replica_port/storage_engine}"
}

# Services started before the replica existed do not read from it: say so (their environment is fixed at start).
catalog_warn_unwired_services() { # name...
  local n pid
  for n in "$@"; do
    pid=$(pid_of "$n") || continue
    [[ -r "/proc/$pid/environ" ]] || continue
    tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^SE_CATALOG_REPLICAS=.' \
      || warn "$n (pid $pid) was started without SE_CATALOG_REPLICAS: it reads the catalog primary only until restarted (./se down && ./se up --catalog-replica)"
  done
  return 0
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
  # never again a primary: ./se refuses to start it until it is rebuilt as a replica
  printf 'crashed by ./se catalog failover at %s; %s promoted\n' "$(date -u +%FT%TZ)" "$new" \
    >"$(pg_server_data "$old")/$SE_PG_DEMOTED_MARKER"
  as_pg "$PG_BIN/pg_ctl" -D "$(pg_server_data "$new")" -w -t 60 promote >/dev/null || die "pg_ctl promote of $new failed"
  info "promoted $new in $(( ($(date +%s%N) - t0) / 1000000 )) ms; services find it by themselves (targetServerType=primary)"
  if [[ "${SE_FAILOVER_REBUILD:-1}" == 1 ]]; then
    pg_server_clone "$old" "$new"
    pg_server_start "$old"
    info "$old rebuilt as a replica of $new (port $(pg_server_port "$old"))"
  else
    info "$old left down and marked demoted (SE_FAILOVER_REBUILD=0); ./se catalog rebuild makes it a replica of $new"
  fi
  catalog_servers_status
}

# Rebuilds the server that is down (or demoted) as a replica of the running primary, starting
# the primary first if it is down (a server with no standby.signal and no demoted marker).
catalog_rebuild() {
  catalog_init
  catalog_replica_configured || die "no catalog replica: start one with ./se up --catalog-replica"
  local s d primary='' other
  for s in pg pg-replica; do [[ "$(pg_server_role "$s")" == primary ]] && primary=$s; done
  if [[ -z "$primary" ]]; then
    for s in pg pg-replica; do
      d=$(pg_server_data "$s")
      if [[ -f "$d/PG_VERSION" && ! -f "$d/standby.signal" && ! -f "$d/$SE_PG_DEMOTED_MARKER" ]] && ! pg_server_running "$s"; then
        pg_server_start "$s"
        primary=$s
        break
      fi
    done
  fi
  [[ -n "$primary" ]] || die "no catalog primary to copy from (./se catalog status)"
  [[ "$primary" == pg ]] && other=pg-replica || other=pg
  if pg_server_running "$other"; then
    info "$other is running ($(pg_server_role "$other")): nothing to rebuild"
    return 0
  fi
  pg_server_clone "$other" "$primary" # replaces the data directory, marker included
  pg_server_start "$other"
  info "$other rebuilt as a replica of $primary (port $(pg_server_port "$other"))"
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
    rebuild) catalog_rebuild ;;
    *) die "usage: ./se catalog <status|failover|rebuild>" ;;
  esac
}
