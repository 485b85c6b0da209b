# shellcheck shell=bash
# ./se chaos live [FAULT,...]: faults injected into the running ./se up stack, one after the other,
# while this script reads the demo timeline's pages (10 per second, over HTTP). Faults:
#   page-service  kill -9 of the page service, then ./se up restarts it
#   compactor     kill -9 of the compactor, then ./se up restarts it
#   kafka         kill -9 of the broker, 10 s down, then ./se up restarts it
#   catalog       the catalog PostgreSQL stopped with -m immediate (a crash), 15 s down, restarted
#   pg-ingest     kill -9 of pg-ingest mid-stream (with the compute demo), then ./se up restarts it
# For each: non-200 answers while the fault lasted, seconds from the fault until a page at the newest
# LSN applied before the fault is served again, wrong pages (a fixed sample of 64 demo pages at an
# LSN applied before the fault, hashed before, compared after: stored pages must not change), acked
# WAL lost (the timeline's last applied LSN and the wal topic's end offsets must not go back), and,
# with ./se up --monitoring, every alert Prometheus showed pending or firing from the fault until 60 s
# after serving again (SE_CHAOS_ALERT_WAIT). Prints one table. Sourced by ./se.

SE_CHAOS_LIVE_DEFAULT="page-service,compactor,kafka,catalog"

live_token_header() { # -> curl args for the demo tenant's pages (none when auth is off)
  [[ -f "$SE_AUTH_MARKER" ]] || return 0
  local token
  token=$(token_tool token --key "$SE_AUTH_DIR/auth-private.pem" --tenant "$SE_DEMO_TENANT" --ttl 1d) || die "could not issue a token"
  printf '%s\n' -H "Authorization: Bearer $token"
}

live_timeline_url() { echo "http://127.0.0.1:$SE_HTTP_PORT/v1/tenants/$SE_DEMO_TENANT/timelines/$SE_DEMO_TIMELINE"; }

live_applied_lsn() { # -> X/Y or empty
  curl -s -m 2 "${LIVE_AUTH[@]}" "$(live_timeline_url)" 2>/dev/null | sed -n 's/.*"last_applied_lsn":"\([^"]*\)".*/\1/p'
}

live_lsn_value() { # X/Y -> decimal
  local hi=${1%/*} lo=${1#*/}
  echo $(((16#$hi << 32) | 16#$lo))
}

live_sample_hash() { # lsn -> one sha256 over 64 demo pages at that LSN ("" if any read failed)
  local lsn=$1 rel block out all=""
  for rel in 16384 16385 16386 16387; do
    for block in 0 17 34 51 68 85 102 119 136 153 170 187 204 221 238 255; do
      out=$(curl -s -m 5 -w '\n%{http_code}' "${LIVE_AUTH[@]}" \
        "$(live_timeline_url)/pages/1663/5/$rel/$block?lsn=$lsn" 2>/dev/null | sha256sum | cut -c1-16) || return 1
      all+="$out"
    done
  done
  printf '%s' "$all" | sha256sum | cut -c1-16
}

live_topic_end() { # -> sum of the wal topic's end offsets ("" when the broker does not answer)
  kafka_admin offsets "$SE_WAL_TOPIC" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { s += $3; n++ } END { if (n) print s }' || true
}

live_reader() { # url file: GET the url 10 times a second, "<epoch seconds> <status>" per line, until killed
  local code
  while :; do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "${LIVE_AUTH[@]}" "$1" 2>/dev/null) || code=000
    printf '%s %s\n' "$(date +%s.%N)" "${code:-000}" >>"$2"
    sleep 0.1
  done
}

live_alerts_poll() { # file: every 2 s, alertname+state of each pending or firing alert, until killed
  while :; do
    curl -fsS -m 2 "http://127.0.0.1:$SE_PROMETHEUS_PORT/api/v1/alerts" 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    print(a["labels"].get("alertname", "?") + ":" + a["state"])' >>"$1" 2>/dev/null || true
    sleep 2
  done
}

live_inject() { # fault
  case "$1" in
    page-service | compactor | pg-ingest)
      local pid
      pid=$(pid_of "$1") || die "$1 is not running: ./se up first (pg-ingest: with the compute demo)"
      kill -9 "$pid" ;;
    kafka)
      local pid
      pid=$(pid_of kafka) || die "kafka is not running: ./se up first"
      kill -9 "$pid"; sleep 10 ;;
    catalog)
      pg_init
      pg_running || die "the catalog PostgreSQL is not running: ./se up first"
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m immediate >/dev/null; sleep 15 ;;
    *) die "unknown fault '$1' (page-service, compactor, kafka, catalog, pg-ingest)" ;;
  esac
}

live_heal() { # -> ./se up with the stack's flags, without rebuilding (quietly; its log in chaos-live-up.log)
  local flags=()
  [[ -f "$SE_AUTH_MARKER" ]] && flags+=(--auth)
  SE_SKIP_BUILD=1 "$SE_ROOT/se" up "${flags[@]}" >>"$SE_LOGS/chaos-live-up.log" 2>&1 \
    || warn "./se up failed (see $SE_LOGS/chaos-live-up.log)"
}

live_process() { # fault -> the ./se process name it kills or restarts
  case "$1" in
    catalog) echo postgres ;;
    *) echo "$1" ;;
  esac
}

proc_start_epoch() { # pid -> when the process started, epoch seconds (10 ms resolution)
  awk -v hz="$(getconf CLK_TCK)" -v btime="$(awk '/^btime/ { print $2 }' /proc/stat)" \
    '{ sub(/.*\) /, ""); printf "%.2f\n", btime + $20 / hz }' "/proc/$1/stat" 2>/dev/null
}

cmd_chaos_live() {
  local faults=${1:-$SE_CHAOS_LIVE_DEFAULT} fault rows=() wait_alerts=${SE_CHAOS_ALERT_WAIT:-60}
  [[ "$faults" =~ ^[a-z,-]+$ ]] || die "usage: ./se chaos live [FAULT,...] (default $SE_CHAOS_LIVE_DEFAULT)"
  is_up page-service || die "no running stack: ./se up first (./se up --monitoring to see alerts)"
  mapfile -t LIVE_AUTH < <(live_token_header)
  local dir="$SE_LOGS/chaos-live"
  rm -rf "$dir"; mkdir -p "$dir"
  trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT # the reader and the alert poller never outlive the script
  IFS=, read -ra list <<<"$faults"
  for fault in "${list[@]}"; do
    local lsn0 hash0 end0 t0 t_served="" reader alerts="" alert_pid="" url lsn1 hash1 end1 lost wrong bad
    lsn0=$(live_applied_lsn)
    [[ -n "$lsn0" && "$lsn0" != 0/0 ]] || die "the demo timeline has no applied LSN (is ./se up done?)"
    hash0=$(live_sample_hash "$lsn0") || die "could not read the sample pages before the fault"
    end0=$(live_topic_end)
    url="$(live_timeline_url)/pages/1663/5/16384/0?lsn=$lsn0"
    : >"$dir/$fault.reads"
    live_reader "$url" "$dir/$fault.reads" &
    reader=$!
    if is_up prometheus; then
      : >"$dir/$fault.alerts"
      live_alerts_poll "$dir/$fault.alerts" &
      alert_pid=$!
    fi
    info "chaos live: $fault at applied LSN $lsn0 ..."
    t0=$(date +%s.%N)
    live_inject "$fault"
    live_heal
    for _ in $(seq 1 600); do # until the reader saw a 200 after healing (60 s)
      [[ "$(tail -n 1 "$dir/$fault.reads" | cut -d' ' -f2)" == 200 ]] && break
      sleep 0.1
    done
    sleep 1
    kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null || true
    bad=$(awk '$2 != 200' "$dir/$fault.reads" | wc -l)
    # outages: runs of failed reads, each from its first failure to the next 200; "serving again" is
    # the end of the last one, from the fault's start; none: reads never stopped
    t_served=$(awk -v t0="$t0" '$2 != 200 && !start { start = $1 } $2 == 200 && start {
        if ($1 - start > longest) longest = $1 - start; end = $1; start = 0 }
      END { if (!end) print "never"; else printf "%.1f s (longest outage %.1f s)\n", end - t0, longest }' \
      "$dir/$fault.reads")
    lsn1=$(live_applied_lsn)
    hash1=$(live_sample_hash "$lsn0" || echo unreadable)
    end1=$(live_topic_end)
    wrong=0; [[ "$hash1" == "$hash0" ]] || wrong="sample differs ($hash0 -> $hash1)"
    lost=0
    if [[ -z "$lsn1" ]] || (($(live_lsn_value "$lsn1") < $(live_lsn_value "$lsn0"))); then lost="applied LSN went back: $lsn0 -> ${lsn1:-none}"; fi
    if [[ -n "$end0" && -n "$end1" ]] && ((end1 < end0)); then lost="wal topic end went back: $end0 -> $end1"; fi
    if [[ -n "$alert_pid" ]]; then
      sleep "$wait_alerts" # alerts with a for: clause need the condition to last; pending shows it was detected
      kill "$alert_pid" 2>/dev/null; wait "$alert_pid" 2>/dev/null || true
      alerts=$(sort -u "$dir/$fault.alerts" | paste -sd' ' -)
      alerts=${alerts:-none}
    else
      alerts="n/a (./se up --monitoring)"
    fi
    local served=$t_served restarted pid
    [[ "$t_served" == never ]] && served="never stopped"
    [[ "$(tail -n 1 "$dir/$fault.reads" | cut -d' ' -f2)" == 200 ]] || served="not within 60 s"
    # the restarted process's own share: from its start to the end of the last outage
    if pid=$(pid_of "$(live_process "$fault")") && restarted=$(proc_start_epoch "$pid") && [[ -n "$restarted" ]]; then
      local last_ok
      last_ok=$(awk '$2 != 200 && !start { start = $1 } $2 == 200 && start { end = $1; start = 0 } END { print end }' \
        "$dir/$fault.reads")
      [[ -n "$last_ok" ]] && awk -v a="$restarted" -v b="$last_ok" 'BEGIN { exit !(b > a) }' \
        && served+=$(awk -v a="$restarted" -v b="$last_ok" 'BEGIN { printf "; %.1f s after the restarted process started", b - a }')
    fi
    rows+=("$fault|$lost|$wrong|$bad of $(wc -l <"$dir/$fault.reads")|$served|$alerts")
    info "chaos live: $fault: serving again: $served; non-200 reads $bad; alerts: $alerts"
  done
  info ""
  { printf 'fault|acked lost|wrong pages|non-200 reads|serving again (from the fault)|alerts seen (name:state)\n'
    printf '%s\n' "${rows[@]}"; } | print_table
  info "(reads, alerts and ./se up output per fault in $dir and $SE_LOGS/chaos-live-up.log)"
}
