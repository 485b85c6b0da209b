# shellcheck shell=bash
# ./se scale and the instance table of ./se status: more than one page service or compactor on the
# local stack. Sourced by ./se.
#
# Instance 1 of each is the one ./se up starts (names page-service and compactor, ports SE_HTTP_PORT,
# SE_ADMIN_PORT, SE_COMPACTOR_ADMIN_PORT). Instance i >= 2 is named page-service-i / compactor-i,
# listens on the base port + (i-1) * SE_SCALE_PORT_STEP (100: page-service-2 on 8180, admin 9190,
# gRPC 8190; compactor-2 admin 9191), and keeps its own state in .local/page-service-state-i. Every page
# service joins the same Kafka Streams group with its own static membership id (derived from its
# advertised address 127.0.0.1:<port>) and one standby replica per partition
# (SE_KAFKA_STANDBY_REPLICAS, default 1). Compactors share the catalog and the segment directory;
# leases split the partitions (worker id: host-pid-random).
# .local/run/<name>.ports holds "<api port> <admin port>" of each instance ./se started.

SE_SCALE_PORT_STEP=${SE_SCALE_PORT_STEP:-100}
SE_SCALE_MAX=${SE_SCALE_MAX:-8}

instance_name() { # kind index -> page-service | page-service-2 ...
  if (($2 == 1)); then printf '%s\n' "$1"; else printf '%s-%d\n' "$1" "$2"; fi
}

write_ports() { printf '%s %s\n' "$2" "$3" >"$SE_RUN/$1.ports"; } # name api-port admin-port

# Admin port of a page-service instance: from its .ports file, else what ./se scale gives index i.
admin_port_of() { # name
  local api admin
  if [[ -f "$SE_RUN/$1.ports" ]] && read -r api admin <"$SE_RUN/$1.ports"; then
    printf '%s\n' "$admin"
  else
    printf '%s\n' "$((SE_ADMIN_PORT + ($(instance_index "$1") - 1) * SE_SCALE_PORT_STEP))"
  fi
}

# Running instances of a kind, in index order (page-service, page-service-2, ...).
instances_of() { # kind
  local f name
  for f in "$SE_RUN/$1.pid" "$SE_RUN/$1"-[0-9]*.pid; do
    [[ -f "$f" ]] || continue
    name=$(basename "$f" .pid)
    is_up "$name" && printf '%s %s\n' "$(instance_index "$name")" "$name"
  done | sort -n | cut -d' ' -f2
}

instance_index() { # name -> 1 for the base name, i for name-i
  [[ "$1" =~ -([0-9]+)$ ]] && printf '%s\n' "${BASH_REMATCH[1]}" || printf '1\n'
}

page_service_instance_up() { # index
  local i=$1 name; name=$(instance_name page-service "$i")
  local http=$((SE_HTTP_PORT + (i - 1) * SE_SCALE_PORT_STEP)) admin=$((SE_ADMIN_PORT + (i - 1) * SE_SCALE_PORT_STEP))
  local state="$SE_LOCAL/page-service-state"
  ((i == 1)) || state="$SE_LOCAL/page-service-state-$i"
  local grpc=${SE_GRPC_PORT:-8090}
  ((grpc <= 0)) || grpc=$((grpc + (i - 1) * SE_SCALE_PORT_STEP)) # -1 (off) and 0 (any free port) stay
  ( # own ports and state directory; the rest is the stack's shared environment (service_env)
    SE_HTTP_PORT=$http SE_ADMIN_PORT=$admin SE_STATE_DIR=$state
    export SE_GRPC_PORT=$grpc
    export SE_KAFKA_STANDBY_REPLICAS="${SE_KAFKA_STANDBY_REPLICAS:-1}"
    health_port=$admin service_up "$name" page-service "$PAGE_MAIN" "$http" SE_HTTP_PORT
  ) || return 1
  write_ports "$name" "$http" "$admin"
}

compactor_instance_up() { # index
  local i=$1 name; name=$(instance_name compactor "$i")
  local admin=$((SE_COMPACTOR_ADMIN_PORT + (i - 1) * SE_SCALE_PORT_STEP))
  (
    SE_COMPACTOR_ADMIN_PORT=$admin
    health_port=$admin service_up "$name" compactor-worker "$COMPACTOR_MAIN" "$admin" SE_COMPACTOR_ADMIN_PORT run
  ) || return 1
  write_ports "$name" - "$admin"
}

# Stops instances of a kind above index n, highest first (TERM: a page service leaves the group, so
# its partitions move at once; a compactor releases its leases).
scale_down() { # kind n
  local name
  for name in $(instances_of "$1" | tac); do
    (($(instance_index "$name") > $2)) || continue
    stop_pid "$name"
    rm -f "$SE_RUN/$name.ports"
  done
}

scale_count() { # kind=value kind -> the value, validated
  local v=${1#*=}
  [[ "$v" =~ ^[0-9]+$ ]] && ((v <= SE_SCALE_MAX)) || die "$2 count must be 0..$SE_SCALE_MAX (SE_SCALE_MAX), got '$v'"
  printf '%s\n' "$v"
}

cmd_scale() {
  local pages='' compactors='' a
  (($#)) || die "usage: ./se scale page-service=N [compactor=M]"
  for a in "$@"; do
    case "$a" in
      page-service=* | page-services=*) pages=$(scale_count "$a" page-service) ;;
      compactor=* | compactors=*) compactors=$(scale_count "$a" compactor) ;;
      *) die "unknown argument for scale: $a (usage: ./se scale page-service=N [compactor=M])" ;;
    esac
  done
  [[ -z "$pages" ]] || ((pages >= 1)) || die "page-service must be at least 1 (instance 1 serves the ./se up curls on port $SE_HTTP_PORT)"
  is_up kafka && is_up postgres || die "the local stack is not up: run ./se up first"
  local i
  if [[ -n "$pages" ]]; then
    has_main page-service "${PAGE_MAIN//.//}" || die "page-service is not built: run ./se up (or ./se build)"
    scale_down page-service "$pages"
    for ((i = 1; i <= pages; i++)); do
      page_service_instance_up "$i" || die "starting $(instance_name page-service "$i") failed (./se logs $(instance_name page-service "$i"))"
    done
  fi
  if [[ -n "$compactors" ]]; then
    scale_down compactor "$compactors"
    for ((i = 1; i <= compactors; i++)); do
      compactor_instance_up "$i" || die "starting $(instance_name compactor "$i") failed (./se logs $(instance_name compactor "$i"))"
    done
  fi
  scale_prometheus_targets
  info ""
  ownership_status
}

# With ./se up --monitoring: Prometheus scrapes every instance (its file-based discovery re-reads
# the target files by itself; scripts/lib/monitoring.sh).
scale_prometheus_targets() {
  is_up prometheus || return 0
  local kind name admin targets
  for kind in page-service compactor; do
    targets=()
    for name in $(instances_of "$kind"); do
      if [[ "$kind" == page-service ]]; then
        admin=$(admin_port_of "$name")
      elif [[ -f "$SE_RUN/$name.ports" ]]; then
        admin=$(cut -d' ' -f2 "$SE_RUN/$name.ports")
      else
        admin=$((SE_COMPACTOR_ADMIN_PORT + ($(instance_index "$name") - 1) * SE_SCALE_PORT_STEP))
      fi
      targets+=("127.0.0.1:$admin")
    done
    prometheus_targets "$SE_PROMETHEUS_DIR" "$kind" "${targets[@]}"
  done
  info "prometheus   scrapes the instances now running (targets in $SE_PROMETHEUS_DIR/targets)"
}

# Every running instance with its ports (the part of ./se status for scaled instances).
instances_status() {
  local kind name api admin
  for kind in page-service compactor; do
    for name in $(instances_of "$kind"); do
      [[ "$name" == "$kind" ]] && continue # instance 1 is in the process table already
      api=? admin=?
      [[ -f "$SE_RUN/$name.ports" ]] && read -r api admin <"$SE_RUN/$name.ports"
      printf '%-16s %-5s %-8s %s\n' "$name" up "$(pid_of "$name")" "api $api admin $admin"
    done
  done
}

# Who holds which wal partition: GET /ownership of every running page service (admin socket), as
# one line per instance ("active 0,2,5  standby 1,3"), and the partitions nobody holds as active.
ownership_status() {
  local names; mapfile -t names < <(instances_of page-service)
  ((${#names[@]})) || { info "page services: none running"; return 0; }
  info "partition ownership (GET /ownership on each page service's admin port):"
  printf '  %-16s %-6s %-5s %-24s %s\n' instance admin ready active standby
  local name admin body line all_active=''
  command -v python3 >/dev/null 2>&1 || warn "python3 not found: showing the raw JSON of GET /ownership"
  for name in "${names[@]}"; do
    admin=$(admin_port_of "$name")
    if ! body=$(curl -s -f -m 2 "http://127.0.0.1:$admin/ownership" 2>/dev/null); then
      printf '  %-16s %-6s %s\n' "$name" "$admin" "no answer (starting, or built before GET /ownership existed)"
      continue
    fi
    command -v python3 >/dev/null 2>&1 || { printf '  %-16s %-6s %s\n' "$name" "$admin" "$body"; continue; }
    line=$(printf '%s' "$body" | ownership_line) || { printf '  %-16s %-6s %s\n' "$name" "$admin" "unreadable answer"; continue; }
    printf '  %-16s %-6s %s\n' "$name" "$admin" "$line"
    all_active+=" $(printf '%s' "$body" | ownership_active)"
  done
  command -v python3 >/dev/null 2>&1 || return 0
  local p missing=()
  for ((p = 0; p < SE_PARTITIONS; p++)); do
    [[ " $all_active " == *" $p "* ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    info "  no active owner now: partitions ${missing[*]} (rebalancing, restoring, or an instance died: its partitions move after kafka.session-timeout)"
  fi
}

# JSON of GET /ownership on stdin -> "ready active-list standby-list" columns (python3, as the benches).
ownership_line() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
act = [str(p["partition"]) for p in d["partitions"] if p["role"] == "active"]
sby = [str(p["partition"]) for p in d["partitions"] if p["role"] == "standby"]
print("%-5s %-24s %s" % ("yes" if d["ready"] else "no", ",".join(act) or "-", ",".join(sby) or "-"))'
}

ownership_active() { # JSON on stdin -> active partitions, space-separated
  python3 -c '
import json, sys
print(" ".join(str(p["partition"]) for p in json.load(sys.stdin)["partitions"] if p["role"] == "active"))'
}
