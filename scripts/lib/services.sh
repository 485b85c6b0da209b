# shellcheck shell=bash
# The storage-engine processes of ./se: page service, compactor, and the ingest CLI (demo data,
# ./se ingest, ./se walgen, topic status). Each runs only if its module has a compiled main class.
# Sourced by ./se.

PAGE_MAIN=io.storageengine.pageservice.Main
COMPACTOR_MAIN=io.storageengine.compactor.Main
INGEST_MAIN=io.storageengine.ingest.cli.IngestCli

SE_DEMO_TENANT=${SE_DEMO_TENANT:-de000000000000000000000000000001}
SE_DEMO_TIMELINE=${SE_DEMO_TIMELINE:-de000000000000000000000000000002}

# Environment every service gets: the shared decisions of the team brief plus local paths.
service_env() {
  export SE_KAFKA_BOOTSTRAP SE_HTTP_PORT SE_ADMIN_PORT SE_COMPACTOR_ADMIN_PORT SE_PARTITIONS SE_WAL_TOPIC
  export SE_KAFKA_TOPIC="${SE_KAFKA_TOPIC:-$SE_WAL_TOPIC}"
  export SE_CATALOG_URL="${SE_CATALOG_URL:-jdbc:postgresql://127.0.0.1:$SE_PG_PORT/storage_engine}"
  export SE_CATALOG_USER="${SE_CATALOG_USER:-se}" SE_CATALOG_PASSWORD="${SE_CATALOG_PASSWORD:-se}"
  export SE_SEGMENT_DIR="${SE_SEGMENT_DIR:-$SE_LOCAL/segments}"
  export SE_STATE_DIR="${SE_STATE_DIR:-$SE_LOCAL/page-service-state}"
  # The local stack's demo data is a few MiB per partition: small L0 cuts make the compactor build
  # several L0s per partition and merge them to L1, so `./se status` shows compaction at work.
  # Production defaults (64 MiB, 60 s) stay in compactor-worker's application.yaml.
  export SE_COMPACTOR_L0_SEGMENT_BYTES="${SE_COMPACTOR_L0_SEGMENT_BYTES:-524288}"
  export SE_COMPACTOR_L0_MAX_AGE="${SE_COMPACTOR_L0_MAX_AGE:-10s}"
  mkdir -p "$SE_SEGMENT_DIR" "$SE_STATE_DIR"
}

# The compactor is a background worker: it runs at a lower CPU priority (nice) and with fewer JVM
# service threads (GC, JIT), so on a shared host the page service gets the CPU first while the
# compactor still uses whatever is idle. docs/runbook.md ("Isolating compactors") has the production
# equivalents (separate hosts, cgroup CPU weights).
SE_COMPACTOR_NICE=${SE_COMPACTOR_NICE:-10}
# The throughput collector: a third less CPU per MB than G1 under steady ingest (docs/compaction.md,
# "Garbage collector"); its pauses stop only this worker, which has no latency goal.
SE_COMPACTOR_JVM_FLAGS=${SE_COMPACTOR_JVM_FLAGS--XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:CICompilerCount=2}
# Linux scheduling policy of the compactor (chrt): other (the default, weighted by nice), batch, or
# idle (SCHED_IDLE: CPU only when no other runnable thread wants it; it may then fall behind on a
# machine with no idle time, which compactor_wal_lag_records shows).
SE_COMPACTOR_SCHED=${SE_COMPACTOR_SCHED:-other}

service_up() { # name module mainclass port portvar [program args...]
  local name=$1 module=$2 main=$3 port=$4 portvar=$5
  if ! has_main "$module" "${main//.//}"; then
    info "$(printf '%-12s' "$name") skipped: $module has no compiled $main yet"
    return 0
  fi
  if is_up "$name"; then
    info "$(printf '%-12s' "$name") already running (pid $(pid_of "$name"), port $port)"
    return 0
  fi
  require_free_port "$port" "$portvar" "$name"
  service_env
  local t0=$SECONDS nice=0 sched=other extra=() note=
  if [[ "$name" == compactor || "$name" == compactor-[0-9]* ]]; then
    [[ "$SE_COMPACTOR_NICE" =~ ^-?[0-9]+$ ]] && ((SE_COMPACTOR_NICE >= -20 && SE_COMPACTOR_NICE <= 19)) \
      || die "SE_COMPACTOR_NICE must be an integer from -20 to 19, got '$SE_COMPACTOR_NICE'"
    nice=$SE_COMPACTOR_NICE
    [[ "$SE_COMPACTOR_SCHED" =~ ^(other|batch|idle)$ ]] \
      || die "SE_COMPACTOR_SCHED must be other, batch or idle, got '$SE_COMPACTOR_SCHED'"
    sched=$SE_COMPACTOR_SCHED
    read -ra extra <<<"$SE_COMPACTOR_JVM_FLAGS"
    note=", nice $nice${extra[*]:+, ${extra[*]}}"
    [[ "$sched" == other ]] || note="$note, SCHED_${sched^^}"
  fi
  sched_policy=$sched nice_level=$nice start_java "$name" "$main" "$(module_cp "$module")" -Xmx1g --enable-native-access=ALL-UNNAMED \
    "${JAVA_UNSAFE_FLAGS[@]}" "${extra[@]}" -- "${@:6}"
  if ! wait_for_port "$port" "${SE_READY_TIMEOUT:-180}" "$name"; then
    show_log_tail "$name"
    is_up "$name" && die "$name is running but not listening on port $port after ${SE_READY_TIMEOUT:-180} s (see ./se logs $name)"
    die "$name exited during startup (see ./se logs $name)"
  fi
  if [[ -n "${health_port:-}" ]] && ! wait_for_health "$health_port" "${SE_READY_TIMEOUT:-180}" "$name"; then
    warn "$name listens on $port but http://127.0.0.1:$health_port/health is not 200 yet (see ./se logs $name)"
  fi
  info "$(printf '%-12s' "$name") started (pid $(pid_of "$name"), port $port$note) in $((SECONDS - t0)) s"
}

wait_for_health() { # port seconds pidname -> 0 once GET /health answers 200
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/health" 2>/dev/null)" == 200 ]] && return 0
    is_up "$3" || return 1
    sleep 1
  done
  return 1
}

ingest_available() { has_main ingest "${INGEST_MAIN//.//}"; }

ingest_cli() { # args...
  ingest_available || die "the ingest CLI ($INGEST_MAIN) is not built yet: run ./se up (or wait for the ingest module)"
  service_env
  "$JAVA" -Xmx1g --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp ingest)" "$INGEST_MAIN" "$@"
}

# Loads demo data once per .local (marker file), through walgen piped into publish.
load_demo() {
  local marker="$SE_LOCAL/demo.loaded"
  if [[ -f "$marker" ]]; then
    info "demo data    already loaded ($(cat "$marker"))"
    return 0
  fi
  if ! ingest_available; then
    info "demo data    skipped: the ingest CLI is not built yet"
    return 0
  fi
  # walgen's defaults: 4 relations (16384..16387) x 256 pages in spc 1663, db 5
  # shellcheck disable=SC2206
  local gen=(${SE_DEMO_WALGEN_ARGS:---records 20000})
  info "demo data    walgen ${gen[*]} | publish --tenant $SE_DEMO_TENANT --timeline $SE_DEMO_TIMELINE -"
  if ingest_cli walgen "${gen[@]}" 2>>"$SE_LOGS/demo.log" \
      | ingest_cli publish --tenant "$SE_DEMO_TENANT" --timeline "$SE_DEMO_TIMELINE" \
          --bootstrap "$SE_KAFKA_BOOTSTRAP" --topic "$SE_WAL_TOPIC" - >>"$SE_LOGS/demo.log" 2>&1; then
    printf 'tenant %s timeline %s at %s\n' "$SE_DEMO_TENANT" "$SE_DEMO_TIMELINE" "$(date -u +%FT%TZ)" >"$marker"
    info "demo data    loaded (log: $SE_LOGS/demo.log)"
  else
    warn "loading demo data failed; see $SE_LOGS/demo.log (the stack is up anyway)"
    tail -n 10 "$SE_LOGS/demo.log" >&2 || true
  fi
}

topic_status() {
  if ingest_available && ingest_cli topic-status --bootstrap "$SE_KAFKA_BOOTSTRAP" --topic "$SE_WAL_TOPIC"; then
    return 0
  fi
  ingest_available && warn "IngestCli topic-status failed; showing offsets only"
  kafka_admin offsets "$SE_WAL_TOPIC" || warn "could not read offsets of topic $SE_WAL_TOPIC"
}

# Segments per level, L0 backlog, offsets and leases from the catalog (compactor's `Main status`).
catalog_status() {
  has_main compactor-worker "${COMPACTOR_MAIN//.//}" || return 0
  service_env
  "$JAVA" --enable-native-access=ALL-UNNAMED "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp compactor-worker)" \
    "$COMPACTOR_MAIN" status || warn "compactor status failed"
}
